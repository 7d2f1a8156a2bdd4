#pragma once

#include "switchyard/messages/storage_records.hpp"

#include <string>
#include <vector>

namespace switchyard::actors {

/// Experiments as a JSON array: each one's spec, arms with their sample
/// sizes, means and p-values against the leader, and the verdict.
/// `switchyard experiments --json` prints it; the gateway serves it at
/// /v1/experiments.
[[nodiscard]] std::string
experiment_reports_json(const std::vector<experiment_report>& reports);

} // namespace switchyard::actors
