#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard bench quality --registry R (--train A --test B | --data F)
/// [flags]`: replays recorded outcomes and reports routing quality.
int run_quality_bench_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
