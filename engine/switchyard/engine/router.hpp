#pragma once

#include "switchyard/engine/capabilities.hpp"
#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/conversation.hpp"
#include "switchyard/engine/decision.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/engine/performance.hpp"
#include "switchyard/engine/registry.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace switchyard::engine {

/// One task as the caller describes it. Every optional field the caller sets
/// wins over what the router would infer.
struct route_request {
  std::string_view text;
  std::optional<task_type> type;
  std::optional<complexity_tier> tier;
  std::optional<int> complexity_score;
  std::optional<double> budget_usd;
  std::optional<double> min_quality;
  std::optional<double> max_latency_s;
  std::uint32_t context_tokens = 0;
  std::optional<std::uint32_t> max_output_tokens;
  capability_set required;
  bool parallel = false;
  /// A step of an execution plan: never an ensemble, whatever the tier
  /// (the plan's specialists and critic are its ensemble); `parallel` is
  /// not read.
  bool plan_step = false;
  std::optional<consensus_strategy> strategy;
  /// A registry id; overrides every rule.
  std::string_view force_model;
  /// The request fields not every wire format can carry (used_fields);
  /// a model whose provider cannot is filtered out (cannot_express).
  request_field_set fields;
  /// The registry id of the model an agent loop stays on while it can take
  /// the task (see task_spec::sticky_model); empty for none.
  std::string_view sticky_model;
  /// Local attempts that already failed for this task.
  std::uint32_t local_failures = 0;
  /// Models already tried for this task.
  std::span<const std::uint16_t> exclude;
};

/// The state of the world the decision reads; everything the router would
/// otherwise have to ask another component for.
struct routing_state {
  /// Learned performance; null means no learning yet.
  const performance_table* performance = nullptr;
  /// One flag per provider: non-zero when its breaker refuses calls.
  std::span<const std::uint8_t> breaker_open;
  /// Per provider and per model, an engine::unavailability: non-zero when
  /// it cannot answer now (no key, not served by its local server, ...).
  /// Empty spans: everything is available.
  std::span<const std::uint8_t> provider_unavailable;
  std::span<const std::uint8_t> model_unavailable;
  /// What is left of the caller's budget (key, day and global combined);
  /// none when unlimited.
  std::optional<usd_nanos> budget_remaining;
  /// Share of recent traffic per provider, 0-1, for vendor diversity; empty
  /// when unknown.
  std::span<const double> provider_share;
  /// Per-prompt success predictions (success_predictor::estimate), indexed
  /// by model; empty when there are none. Each is blended into that model's
  /// predicted quality by its weight, so two prompts of the same task type
  /// can go to different models.
  std::span<const success_estimate> predicted_success;
};

/// Classify, estimate, filter, score and select. Pure: the same registry,
/// request and state always give the same decision.
class router {
public:
  router(const registry& reg, const keyword_classifier& cls) noexcept
    : reg_(reg), classifier_(cls) {
  }

  /// Writes into `out`, reusing its buffers. A `given` classification (from
  /// the classifier actors) skips classifying again.
  void route(const route_request& req, const routing_state& state,
             decision& out, const classification* given = nullptr) const;

  [[nodiscard]] decision route(const route_request& req,
                               const routing_state& state) const {
    decision d;
    route(req, state, d);
    return d;
  }

  [[nodiscard]] const registry& reg() const noexcept {
    return reg_;
  }

  [[nodiscard]] const keyword_classifier& classifier() const noexcept {
    return classifier_;
  }

private:
  const registry& reg_;
  const keyword_classifier& classifier_;
};

/// Copies what a decision of task type `type` reads from `state` into `out`
/// (one learned cell per model, the breakers, the budget), for replay.
void record_inputs(const routing_state& state, task_type type,
                   std::size_t model_count, routing_inputs& out);

/// The routing state that recorded inputs describe. `table` receives the
/// learned cells and must outlive the returned state.
[[nodiscard]] routing_state replay_state(const routing_inputs& in,
                                         task_type type,
                                         std::size_t model_count,
                                         performance_table& table);

/// gain_per_cost's price of quality: USD per unit of predicted success at a
/// requirement `quality_required` (q), `success_value_usd` * q / (1 - q);
/// 0 at q <= 0 and infinite at q >= 1.
[[nodiscard]] double success_price_usd(const routing_policy& policy,
                                       double quality_required) noexcept;

/// Prior quality blended with learned success by the learned confidence.
[[nodiscard]] double predicted_quality(double prior,
                                       const model_performance* perf) noexcept;

/// The above, then blended with a per-prompt prediction by its weight; the
/// same as the above when `predicted` is null.
[[nodiscard]] double predicted_quality(double prior,
                                       const model_performance* perf,
                                       const success_estimate* predicted) noexcept;

} // namespace switchyard::engine
