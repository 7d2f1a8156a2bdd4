#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard bench dashboard [--decisions N] [--days D] [--requests N]
/// [--json]`: what /ui reads, timed against a store of N logged decisions.
int run_dashboard_bench_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
