#pragma once

#include "switchyard/engine/decay.hpp"
#include "switchyard/engine/performance.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace switchyard::engine {

/// What the caller says about an answer, in any combination.
struct feedback_report {
  enum class verdict : std::uint8_t { none, success, partial, failure };
  verdict outcome = verdict::none;
  /// 0-1, from the caller's own grader.
  std::optional<double> quality;
  std::optional<bool> pr_merged;
  std::optional<bool> pr_reverted;
  /// 1-5 stars.
  std::optional<int> rating;
};

/// Scores feedback 0-1: success 1, partial 0.5, failure 0, averaged with a
/// quality score and a rating (1-5 mapped to 0-1) when given; +0.2 when a PR
/// merged, -0.5 when it was reverted. None when the report says nothing.
[[nodiscard]] std::optional<double> score_feedback(const feedback_report& f) noexcept;

/// Learned state of one (model, task type). EMAs for the latest behaviour,
/// time-decayed counts for how much evidence there is and how fresh.
struct learned_cell {
  ema success;
  ema latency_ms;
  ema cost_nanos;
  ema feedback;
  decayed_count calls;
  decayed_count successes;
  decayed_count feedback_count;
};

/// A learned cell with its model named by id: registry indices change when
/// the registry does, ids do not. The unit of persistence and analytics.
struct learned_entry {
  std::string model;
  task_type type = task_type::general;
  learned_cell cell;
};

struct learning_params {
  /// EMA smoothing (DESIGN.md: 0.1).
  double alpha = 0.1;
  double half_life_s = default_half_life_s;
  /// Decayed samples at which confidence reaches one half.
  double confidence_half_samples = 20.0;
};

/// One finished call: success and how long and how much it took.
void apply_outcome(learned_cell& cell, bool success, double latency_ms,
                   double cost_nanos, double now_s,
                   const learning_params& p) noexcept;

/// A feedback score (0-1) for an answer this model gave.
void apply_feedback(learned_cell& cell, double score, double now_s,
                    const learning_params& p) noexcept;

/// What the scorer reads: success blends the call outcome rate with feedback
/// when there is any; confidence grows with decayed sample size, so it also
/// falls as evidence ages.
[[nodiscard]] model_performance view_of(const learned_cell& cell, double now_s,
                                        const learning_params& p) noexcept;

} // namespace switchyard::engine
