#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard serve`: the gateway, until SIGTERM or SIGINT.
int run_serve_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
