#pragma once

#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/task_type.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

/// Reports over stored routing history. Pure: the caller loads the learned
/// cells and task summaries (storage/) and passes `now`.
namespace switchyard::engine {

// -- inputs -------------------------------------------------------------------

/// One call made for a task.
struct attempt_summary {
  std::string model;
  std::string provider;
  bool success = false;
  usd_nanos cost = 0;
  double latency_ms = 0.0;
};

/// One executed task, as the decision log and the feedback remember it.
struct task_summary {
  std::uint64_t decision_id = 0;
  std::int64_t created_unix_s = 0;
  task_type type = task_type::general;
  /// The budget scope (an API key id); empty for none.
  std::string budget_key;
  std::vector<attempt_summary> attempts;
  /// The model whose answer the caller got; empty when the task failed.
  std::string answered_by;
  std::uint32_t input_tokens = 0;
  std::uint32_t output_tokens = 0;
  /// The mean feedback score (0-1) the task received, if any.
  std::optional<double> feedback;
};

// -- model performance --------------------------------------------------------

/// What learning knows about one model on one task type.
struct performance_line {
  std::string model;
  task_type type = task_type::general;
  /// Success as the scorer reads it (feedback blended with call success).
  double success = 0.5;
  /// Call success alone (EMA); none before the first call.
  std::optional<double> call_success;
  std::optional<double> feedback;
  double latency_ms = 0.0;
  /// Mean cost per call (EMA), USD.
  double cost_usd = 0.0;
  /// Time-decayed count of calls and feedback.
  double samples = 0.0;
  double confidence = 0.0;
};

/// One line per learned cell with any evidence, by task type then success
/// (best first).
[[nodiscard]] std::vector<performance_line>
performance_report(std::span<const learned_entry> cells, double now_s,
                   const learning_params& params);

// -- costs --------------------------------------------------------------------

struct spend_line {
  std::string name;
  usd_nanos spent = 0;
  std::uint64_t calls = 0;
};

struct cost_report {
  std::uint64_t tasks = 0;
  std::uint64_t calls = 0;
  usd_nanos total = 0;
  /// Most spent first; days in date order ("2025-01-31", UTC).
  std::vector<spend_line> by_model;
  std::vector<spend_line> by_provider;
  std::vector<spend_line> by_key;
  std::vector<spend_line> by_day;
  /// The registry's strongest model (highest prior quality among enabled,
  /// non-experimental models) and what the answered tasks would have cost
  /// on it, priced from their real token counts.
  std::string always_best_model;
  usd_nanos always_best = 0;
  /// What the answered tasks actually cost (every attempt included), to set
  /// against always_best.
  usd_nanos answered_total = 0;
  std::uint64_t answered_tasks = 0;
};

/// Spend per model, provider, budget key and day, and the always-best
/// comparison.
[[nodiscard]] cost_report cost_analysis(std::span<const task_summary> tasks,
                                        const registry& reg);

/// Spend in fixed time buckets, for charts: every series has one value per
/// bucket.
struct spend_series {
  std::int64_t bucket_s = 60;
  /// Each bucket's start, seconds since the Unix epoch, ascending.
  std::vector<std::int64_t> starts;
  struct line {
    std::string name;
    std::vector<usd_nanos> spent;
  };
  /// Most spent first.
  std::vector<line> by_model;
  std::vector<line> by_provider;
  /// Every call's cost.
  std::vector<usd_nanos> total;
  /// The answered tasks priced on the strongest model (as in cost_report),
  /// and what those same tasks really cost.
  std::string always_best_model;
  std::vector<usd_nanos> always_best;
  std::vector<usd_nanos> answered;
  /// Totals over the whole window, most spent first.
  std::vector<spend_line> by_key;
};

/// Buckets `tasks` created in [from_s, to_s] by `bucket_s` seconds (the
/// first bucket starts at from_s rounded down to a multiple of bucket_s).
[[nodiscard]] spend_series spend_over_time(std::span<const task_summary> tasks,
                                           const registry& reg,
                                           std::int64_t from_s,
                                           std::int64_t to_s,
                                           std::int64_t bucket_s);

/// "2025-01-31" for a time in seconds since the Unix epoch (UTC).
[[nodiscard]] std::string utc_date(std::int64_t unix_s);

// -- recommendations ----------------------------------------------------------

struct recommendation_params {
  /// Calls each model needs on the task type before it is compared.
  std::uint64_t min_calls = 100;
  /// How much lower the cheaper model's success may be, at most, with 95%
  /// confidence (a one-sided non-inferiority test).
  double margin = 0.05;
  /// The cheaper model must cost at most this share of the other's mean.
  double max_cost_share = 0.5;
};

/// "On this task type, `model` does as well as `instead_of` for less".
struct recommendation {
  task_type type = task_type::general;
  std::string model;
  std::string instead_of;
  /// "feedback" when both have enough feedback, else "call success".
  std::string metric;
  double success = 0.0;
  double reference_success = 0.0;
  /// Mean cost per call of `model` over that of `instead_of`.
  double cost_share = 0.0;
  /// Calls of both models the comparison rests on.
  std::uint64_t sample = 0;
  std::string text;
};

/// At most one recommendation per task type: the cheapest model that is
/// not worse than a costlier one by more than the margin, where the sample
/// supports it. None when nothing qualifies.
[[nodiscard]] std::vector<recommendation>
recommend(std::span<const task_summary> tasks,
          const recommendation_params& params = {});

} // namespace switchyard::engine
