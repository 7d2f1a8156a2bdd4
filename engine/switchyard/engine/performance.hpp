#pragma once

#include "switchyard/engine/task_type.hpp"

#include <cstdint>
#include <limits>
#include <vector>

namespace switchyard::engine {

/// What learning knows about one (model, task type), as the scorer reads it.
/// All rates are 0-1; `samples` is a time-decayed count.
struct model_performance {
  double success = 0.5;
  double latency_ms = 0.0;
  double feedback_weight = 0.5;
  double samples = 0.0;
  /// How far to trust the learned values over the priors, 0-1, from sample
  /// size and recency.
  double confidence = 0.0;
};

/// What a success predictor expects of one model on one prompt, as the
/// scorer reads it.
struct success_estimate {
  /// Probability of a good answer, 0-1.
  double probability = 0.5;
  /// How far to trust it over the prior and the per-task-type learned
  /// success, 0-1; zero for a model the predictor never saw an outcome of.
  double weight = 0.0;
  /// Expected cost in USD of the model's answer to this prompt, learned
  /// from past outcomes (the prompt model); NaN when there is none, and
  /// then the registry's estimate applies. Only the `utility` selection
  /// reads it.
  double cost_usd = std::numeric_limits<double>::quiet_NaN();
};

/// A snapshot of learned performance, one cell per (model, task type).
struct performance_table {
  std::size_t model_count = 0;
  std::vector<model_performance> cells;

  void resize(std::size_t models) {
    model_count = models;
    cells.assign(models * task_type_count, model_performance{});
  }

  [[nodiscard]] const model_performance*
  find(std::uint16_t model, task_type t) const noexcept {
    if (model >= model_count)
      return nullptr;
    return &cells[model * task_type_count + static_cast<std::size_t>(t)];
  }

  [[nodiscard]] model_performance& at(std::uint16_t model, task_type t) {
    return cells[model * task_type_count + static_cast<std::size_t>(t)];
  }
};

} // namespace switchyard::engine
