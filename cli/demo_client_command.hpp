#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard demo-client`: sends the demo workload through a gateway's
/// OpenAI API and prints what the router decided and what it cost.
int run_demo_client_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
