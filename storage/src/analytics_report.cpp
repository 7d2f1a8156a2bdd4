#include "switchyard/storage/analytics_report.hpp"

#include "switchyard/storage/task_history.hpp"

namespace switchyard::storage {

caf::expected<analytics_report>
build_analytics_report(store& db, const engine::registry& reg,
                       std::int64_t now_unix_ms,
                       const engine::learning_params& learning,
                       const engine::recommendation_params& advice) {
  analytics_report out;
  auto cells = db.load_learned();
  if (!cells)
    return std::move(cells.error());
  out.performance = engine::performance_report(
    *cells, static_cast<double>(now_unix_ms) / 1000.0, learning);
  auto tasks = load_task_history(db, reg);
  if (!tasks)
    return std::move(tasks.error());
  out.costs = engine::cost_analysis(*tasks, reg);
  out.recommendations = engine::recommend(*tasks, advice);
  return out;
}

} // namespace switchyard::storage
