#pragma once

#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/decision.hpp"
#include "switchyard/engine/execution_plan.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/step_outcome.hpp"

#include <span>
#include <string>
#include <string_view>

namespace switchyard::engine {

/// "$0.0123": `digits` decimals, or 6 significant digits when negative.
[[nodiscard]] std::string format_usd(double v, int digits = -1);

/// A number with `digits` decimals.
[[nodiscard]] std::string format_fixed(double v, int digits);

/// Why a model was filtered out, in words: "max cost $0.117 over the $0.100 cap".
[[nodiscard]] std::string describe_filter(const filtered_model& f);

/// Why a forced model cannot answer now (decision_note::forced_unavailable):
/// names the model and, for a missing key, the environment variable.
[[nodiscard]] std::string unavailable_refusal(const decision& d,
                                              const registry& reg);

/// Why a forced model was refused (decision_note::forced_cannot_express):
/// names the model, its format and the field or capability.
[[nodiscard]] std::string forced_refusal(const decision& d,
                                         const registry& reg);

/// One paragraph saying which rule chose what and why.
[[nodiscard]] std::string rationale(const decision& d, const registry& reg,
                                    const keyword_classifier& cls);

/// A plan as `plan` (see write_plan_json): its kind, its steps and the
/// roles the budget dropped.
struct plan_summary {
  plan_kind kind = plan_kind::single;
  std::span<const step_outcome> steps;
  std::span<const std::string> dropped;
};

/// The decision as one JSON object (the `switchyard route --json` and
/// `/v1/route` shape): decision_id, model, provider, is_local, complexity,
/// complexity_score, task_type, fallbacks, ensemble, estimated_cost_usd,
/// candidates with factor points, filtered_out with reasons, rationale.
void write_decision_json(json_writer& w, const decision& d,
                         const registry& reg, const keyword_classifier& cls,
                         std::string_view decision_id,
                         const plan_summary* plan = nullptr);

/// {"kind", "dropped": [...], "steps": [{"role", "model", "route_as",
/// "final", "ran", "ok", "revision", "worst_cost_usd", "cost_usd",
/// "started_ms", "latency_ms", "input_tokens", "output_tokens", "score",
/// "note"}]}; a step without a model has "model": null, one without a
/// score "score": null.
void write_plan_json(json_writer& w, const plan_summary& plan,
                     const registry& reg);

} // namespace switchyard::engine
