#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard keys create|list|revoke`: client API keys in a node's store.
int run_keys_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
