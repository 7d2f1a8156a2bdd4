#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard route "TASK"... [flags]`: prints the routing decision.
int run_route_command(const std::vector<std::string>& args);

/// `switchyard config check FILE`.
int run_config_command(const std::vector<std::string>& args);

/// `switchyard bench engine [--json]`.
int run_bench_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
