#pragma once

#include "switchyard/engine/analytics.hpp"
#include "switchyard/engine/json_writer.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace switchyard::engine {

/// The analytics reports as JSON, for `switchyard analytics --json` and the
/// gateway's /v1/analytics endpoints.
void write_performance_json(json_writer& w,
                            const std::vector<performance_line>& lines,
                            std::optional<task_type> only = std::nullopt);
void write_costs_json(json_writer& w, const cost_report& c);
void write_recommendations_json(json_writer& w,
                                const std::vector<recommendation>& rs);

} // namespace switchyard::engine
