#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard analytics performance|costs|recommendations`: reports over a
/// node's store.
int run_analytics_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
