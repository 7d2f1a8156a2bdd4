#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard bench gateway [flags]`: open-loop load through the gateway,
/// optionally compared with the upstream, with a rate sweep.
int run_gateway_bench_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
