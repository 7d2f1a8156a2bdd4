#pragma once

#include "switchyard/engine/analytics.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/storage/store.hpp"

#include <caf/expected.hpp>

#include <vector>

namespace switchyard::storage {

/// The executed tasks in the decision log as analytics reads them: model
/// indices resolved to ids through the registry each decision was made
/// under (`fallback` when the store lacks it), feedback joined by decision
/// id and averaged per task. Route-only decisions are left out. Blocking.
[[nodiscard]] caf::expected<std::vector<engine::task_summary>>
load_task_history(store& db, const engine::registry& fallback);

/// The executed tasks created at or after `since_unix_ms`, newest first, at
/// most `max_tasks` (`truncated` says whether older ones in the window were
/// left out), without feedback. Walks back from the newest decision and
/// stops at the window's start, so it reads the window, not the whole log.
/// Blocking.
[[nodiscard]] caf::expected<std::vector<engine::task_summary>>
load_recent_task_history(store& db, const engine::registry& fallback,
                         std::int64_t since_unix_ms, std::size_t max_tasks,
                         bool& truncated);

/// The spend rollups of `width` with buckets starting in [from_s, to_s], as
/// analytics reads tasks (spend_rollup.hpp, rollup_tasks): enough for
/// engine::spend_over_time at that width or a multiple of it, reading one
/// record per bucket instead of every decision. `tasks` counts the tasks
/// they sum. Blocking.
[[nodiscard]] caf::expected<std::vector<engine::task_summary>>
load_spend_rollups(store& db, const engine::registry& fallback,
                   rollup_width width, std::int64_t from_s, std::int64_t to_s,
                   std::uint64_t& tasks);

} // namespace switchyard::storage
