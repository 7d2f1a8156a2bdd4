#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard experiments list|start|stop`: A/B tests in a node's store.
int run_experiments_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
