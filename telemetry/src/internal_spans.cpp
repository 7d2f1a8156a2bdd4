#include "switchyard/telemetry/internal_spans.hpp"

#include "switchyard/telemetry/internal_span_attributes.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"

#include <vector>

namespace switchyard::telemetry {

namespace {

std::vector<std::string> model_ids(const engine::registry& reg,
                                   std::span<const std::uint16_t> models) {
  std::vector<std::string> out;
  out.reserve(models.size());
  for (auto m : models)
    out.push_back(model_id(reg, m));
  return out;
}

std::string joined(std::string_view prefix, std::string_view suffix) {
  std::string out;
  out.reserve(prefix.size() + 1 + suffix.size());
  out.append(prefix);
  out.push_back(' ');
  out.append(suffix);
  return out;
}

} // namespace

std::string model_id(const engine::registry& reg, std::uint16_t m) {
  return m < reg.models.size() ? reg.models[m].id : "#" + std::to_string(m);
}

std::string plan_step_span_name(std::string_view role) {
  return joined(span_names::plan_step, role);
}

std::string ensemble_member_span_name(std::string_view model) {
  return joined(span_names::ensemble_member, model);
}

void describe_route(active_span& s, const engine::decision& d,
                    const engine::registry& reg, std::uint32_t round) {
  if (!s.recording())
    return;
  s.set(attrs::task_type, engine::to_string(d.cls.type))
    .set(attrs::tier, engine::to_string(d.cls.tier))
    .set(attrs::candidates, d.candidates.size())
    .set(attrs::selection_rule, engine::to_string(d.rule))
    .set(attrs::route_round, round);
  if (!d.has_model()) {
    s.fail("no model can take the task");
    return;
  }
  s.set(attrs::chosen_model, model_id(reg, d.model))
    .set(attrs::fallbacks, d.fallbacks.size());
  if (d.parallel)
    s.set(attrs::parallel, true);
}

void describe_plan(active_span& s, engine::plan_kind kind) {
  s.set(attrs::plan_kind, engine::to_string(kind));
}

void describe_step(active_span& s, std::size_t index,
                   const engine::step_outcome& step, engine::plan_kind kind) {
  if (!s.recording())
    return;
  s.set(attrs::step_index, index)
    .set(attrs::step_role, step.role)
    .set(attrs::step_route_as, engine::to_string(step.route_as))
    .set(attrs::plan_kind, engine::to_string(kind));
  if (step.revision > 0)
    s.set(attrs::step_revision, step.revision);
}

void describe_step_end(active_span& s, const step_end& end) {
  if (!s.recording())
    return;
  s.set(attrs::step_outcome, end.outcome)
    .set(attrs::cost_usd, engine::nanos_to_usd(end.cost_nanos));
  if (!end.model.empty())
    s.set(attrs::step_model, end.model);
  if (end.outcome == "cut")
    s.set(attrs::step_cut, true);
  else if (end.outcome == "failed")
    s.fail(end.error.empty() ? std::string_view{"failed"} : end.error);
}

void describe_ensemble(active_span& s, const engine::ensemble_plan& e,
                       const engine::registry& reg) {
  if (!s.recording())
    return;
  s.set(attrs::ensemble_strategy, engine::to_string(e.strategy))
    .set(attrs::ensemble_members, model_ids(reg, e.members))
    .set(attrs::ensemble_quorum, e.quorum);
  if (e.deadline_ms > 0)
    s.set(attrs::ensemble_deadline, static_cast<double>(e.deadline_ms) / 1e3);
  if (e.has_judge)
    s.set(attrs::judge_model, model_id(reg, e.judge));
}

void describe_ensemble_end(active_span& s, std::optional<std::uint16_t> winner,
                           std::span<const std::uint16_t> cut,
                           bool judge_fallback, engine::usd_nanos cost_nanos,
                           std::string_view error,
                           const engine::registry& reg) {
  if (!s.recording())
    return;
  s.set(attrs::cost_usd, engine::nanos_to_usd(cost_nanos));
  if (!cut.empty())
    s.set(attrs::ensemble_cut, model_ids(reg, cut));
  if (judge_fallback)
    s.set(attrs::judge_fallback, true);
  if (winner)
    s.set(attrs::ensemble_winner, model_id(reg, *winner));
  else
    s.fail(error.empty() ? std::string_view{"the ensemble failed"} : error);
}

} // namespace switchyard::telemetry
