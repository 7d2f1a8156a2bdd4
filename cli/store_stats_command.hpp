#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard store-stats`: records and bytes on disk per column of a
/// node's store, and what one logged decision costs.
int run_store_stats_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
