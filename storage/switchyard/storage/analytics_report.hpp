#pragma once

#include "switchyard/engine/analytics.hpp"
#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/storage/store.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <vector>

namespace switchyard::storage {

/// The three analytics reports, computed from one store.
struct analytics_report {
  /// Per model and task type, from the learned cells.
  std::vector<engine::performance_line> performance;
  /// From the decision log (within retention).
  engine::cost_report costs;
  std::vector<engine::recommendation> recommendations;
};

/// Reads the learned cells, the decision log and the feedback, and runs the
/// engine's reports over them at `now_unix_ms`. `reg` prices the
/// always-best comparison and names models the store has no registry for.
/// Blocking.
[[nodiscard]] caf::expected<analytics_report>
build_analytics_report(store& db, const engine::registry& reg,
                       std::int64_t now_unix_ms,
                       const engine::learning_params& learning = {},
                       const engine::recommendation_params& advice = {});

} // namespace switchyard::storage
