#pragma once

#include <string>
#include <vector>

namespace switchyard::cli {

/// `switchyard explain ID`: prints a logged decision.
int run_explain_command(const std::vector<std::string>& args);

/// `switchyard replay ID`: recomputes a logged decision and compares.
int run_replay_command(const std::vector<std::string>& args);

} // namespace switchyard::cli
