#pragma once

#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/statistics.hpp"
#include "switchyard/engine/task_type.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

/// What an experiment compares its arms on.
enum class experiment_metric : std::uint8_t {
  /// Whether the first call of a task succeeded (0/1): two-proportion z-test.
  success,
  /// The caller's feedback score (0-1): Welch's t-test.
  feedback,
};

inline constexpr std::array<std::string_view, 2> experiment_metric_names{
  "success", "feedback"};

[[nodiscard]] constexpr std::string_view
to_string(experiment_metric m) noexcept {
  return experiment_metric_names[static_cast<std::size_t>(m)];
}

[[nodiscard]] constexpr std::optional<experiment_metric>
parse_experiment_metric(std::string_view s) noexcept {
  for (std::size_t i = 0; i < experiment_metric_names.size(); ++i)
    if (experiment_metric_names[i] == s)
      return static_cast<experiment_metric>(i);
  return std::nullopt;
}

/// One side of an A/B test: a model, or the router's own choice.
struct experiment_arm {
  /// Shown in reports.
  std::string name;
  /// A registry id that tasks in this arm are forced to; empty for the
  /// router's own decision (a control arm: the current policy).
  std::string model;
};

/// An A/B test: splits one task type's traffic between arms.
struct experiment_spec {
  std::string id;
  task_type type = task_type::general;
  std::vector<experiment_arm> arms;
  /// Share of the task type's tasks that take part, 0-1.
  double traffic_share = 1.0;
  /// Seeds the assignment hash; a new seed reshuffles who gets which arm.
  std::uint64_t seed = 0;
  experiment_metric metric = experiment_metric::feedback;
  /// No verdict until every arm has this many observations.
  std::uint32_t min_samples_per_arm = 100;
  /// Family-wise significance level; each of the k-1 comparisons of the
  /// leader uses significance / (k-1) (Bonferroni).
  double significance = 0.05;
};

/// The arm a task goes to, or none when it falls outside the traffic share.
/// Deterministic: the same experiment id, seed and key always give the same
/// arm, on every node and after every restart.
[[nodiscard]] std::optional<std::size_t>
assign_arm(const experiment_spec& spec, std::uint64_t key) noexcept;

/// Why a spec cannot run, in words; empty when it can. Arm models must be in
/// `reg` and enabled.
[[nodiscard]] std::string validate_experiment(const experiment_spec& spec,
                                              const registry& reg);

enum class experiment_verdict : std::uint8_t {
  /// Some arm has fewer observations than the minimum.
  collecting,
  /// Enough observations, but no arm is significantly better than all others.
  no_difference,
  /// The leader beats every other arm at the significance level.
  winner,
};

inline constexpr std::array<std::string_view, 3> experiment_verdict_names{
  "collecting", "no_difference", "winner"};

[[nodiscard]] constexpr std::string_view
to_string(experiment_verdict v) noexcept {
  return experiment_verdict_names[static_cast<std::size_t>(v)];
}

struct experiment_result {
  experiment_verdict verdict = experiment_verdict::collecting;
  /// The arm with the best mean so far (the winner when there is one).
  std::size_t leader = 0;
  /// The largest p-value of the leader against another arm.
  double p_value = 1.0;
  /// What each comparison's p-value must be below.
  double threshold = 0.0;
  /// The leader against each arm, by arm index (the leader's own slot is
  /// empty).
  std::vector<mean_comparison> versus_leader;
};

/// Compares the arms' tallies (one per arm, in arm order) with the spec's
/// test and minimum sample.
[[nodiscard]] experiment_result
evaluate_experiment(const experiment_spec& spec,
                    std::span<const sample_tally> arms);

} // namespace switchyard::engine
