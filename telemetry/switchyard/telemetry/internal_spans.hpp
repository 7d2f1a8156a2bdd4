#pragma once

#include "switchyard/engine/decision.hpp"
#include "switchyard/engine/execution_plan.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/step_outcome.hpp"
#include "switchyard/telemetry/active_span.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

/// The attributes of switchyard's internal spans (internal_span_attributes.hpp)
/// from the engine's values, for the actors that hold the spans. Each is a
/// no-op unless the span is recording: an untraced or unsampled task builds
/// nothing. Pure: no clock, no I/O.
namespace switchyard::telemetry {

/// A model's registry id, or `#n` for an index the registry lacks.
[[nodiscard]] std::string model_id(const engine::registry& reg,
                                   std::uint16_t m);

/// `switchyard.plan_step {role}`.
[[nodiscard]] std::string plan_step_span_name(std::string_view role);

/// `switchyard.ensemble_member {model}`.
[[nodiscard]] std::string ensemble_member_span_name(std::string_view model);

/// A routing round's span (`switchyard.route`) once decided: the task type,
/// tier, chosen model, candidates, rule, fallbacks, whether it runs an
/// ensemble, and the round (1 for the task's first). A decision without a
/// model (rule `none`) marks the span failed: no model can take the task.
void describe_route(active_span& s, const engine::decision& d,
                    const engine::registry& reg, std::uint32_t round);

/// The plan a task's routing chose, when it runs one.
void describe_plan(active_span& s, engine::plan_kind kind);

/// A plan step's span at its launch: its index, role, tier, revision and
/// the plan's kind.
void describe_step(active_span& s, std::size_t index,
                   const engine::step_outcome& step, engine::plan_kind kind);

/// How a plan step ended.
struct step_end {
  /// `ok`, `failed`, `cut`, `abandoned`, `routed` or `unrouted`
  /// (internal_span_attributes.hpp, `switchyard.step.outcome`).
  std::string_view outcome;
  /// The model that answered, or the last one tried; empty for none.
  std::string_view model;
  engine::usd_nanos cost_nanos = 0;
  /// For `failed`: the error's name, the span's status message.
  std::string_view error;
};

/// Sets a step's end: outcome, model, cost, `switchyard.step.cut` for a cut
/// step (which is not an error: the plan went on without it), and an error
/// status for a failed one.
void describe_step_end(active_span& s, const step_end& end);

/// An ensemble's span (`switchyard.ensemble`) as it starts: its strategy,
/// members, quorum, deadline and judge.
void describe_ensemble(active_span& s, const engine::ensemble_plan& e,
                       const engine::registry& reg);

/// How an ensemble ended: the winner (none: it failed, with `error` as the
/// status message), the members cut, whether the judge gave no usable
/// verdict, and what it cost in all.
void describe_ensemble_end(active_span& s, std::optional<std::uint16_t> winner,
                           std::span<const std::uint16_t> cut,
                           bool judge_fallback, engine::usd_nanos cost_nanos,
                           std::string_view error,
                           const engine::registry& reg);

} // namespace switchyard::telemetry
