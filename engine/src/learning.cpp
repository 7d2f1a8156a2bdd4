#include "switchyard/engine/learning.hpp"

#include <algorithm>

namespace switchyard::engine {

std::optional<double> score_feedback(const feedback_report& f) noexcept {
  double sum = 0.0;
  int parts = 0;
  switch (f.outcome) {
    case feedback_report::verdict::success: sum += 1.0; ++parts; break;
    case feedback_report::verdict::partial: sum += 0.5; ++parts; break;
    case feedback_report::verdict::failure: ++parts; break;
    case feedback_report::verdict::none: break;
  }
  if (f.quality) {
    sum += std::clamp(*f.quality, 0.0, 1.0);
    ++parts;
  }
  if (f.rating) {
    sum += (std::clamp(*f.rating, 1, 5) - 1) / 4.0;
    ++parts;
  }
  double bonus = 0.0;
  if (f.pr_merged && *f.pr_merged)
    bonus += 0.2;
  if (f.pr_reverted && *f.pr_reverted)
    bonus -= 0.5;
  if (parts == 0) {
    if (bonus == 0.0)
      return std::nullopt;
    // A PR event alone: merged counts as good, reverted as bad.
    return bonus > 0.0 ? 1.0 : 0.0;
  }
  return std::clamp(sum / parts + bonus, 0.0, 1.0);
}

void apply_outcome(learned_cell& cell, bool success, double latency_ms,
                   double cost_nanos, double now_s,
                   const learning_params& p) noexcept {
  cell.success.update(success ? 1.0 : 0.0, p.alpha);
  cell.latency_ms.update(latency_ms, p.alpha);
  cell.cost_nanos.update(cost_nanos, p.alpha);
  cell.calls.add(1.0, now_s, p.half_life_s);
  cell.successes.add(success ? 1.0 : 0.0, now_s, p.half_life_s);
}

void apply_feedback(learned_cell& cell, double score, double now_s,
                    const learning_params& p) noexcept {
  cell.feedback.update(std::clamp(score, 0.0, 1.0), p.alpha);
  cell.feedback_count.add(1.0, now_s, p.half_life_s);
}

model_performance view_of(const learned_cell& cell, double now_s,
                          const learning_params& p) noexcept {
  model_performance v;
  auto calls = cell.calls.value_at(now_s, p.half_life_s);
  auto fb = cell.feedback_count.value_at(now_s, p.half_life_s);
  auto n = calls + fb;
  v.samples = n;
  v.confidence = n / (n + p.confidence_half_samples);
  double success = cell.success.initialized ? cell.success.value : 0.5;
  if (cell.feedback.initialized) {
    // Feedback is the better signal (a call can succeed with a bad answer):
    // it gets at least three quarters of the weight once present.
    double w = std::max(0.75, fb / std::max(n, 1e-9));
    success = w * cell.feedback.value + (1.0 - w) * success;
    v.feedback_weight = cell.feedback.value;
  } else {
    v.feedback_weight = 0.5;
  }
  v.success = success;
  v.latency_ms = cell.latency_ms.initialized ? cell.latency_ms.value : 0.0;
  return v;
}

} // namespace switchyard::engine
