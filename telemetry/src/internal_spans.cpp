#include "switchyard/telemetry/internal_spans.hpp"

#include "switchyard/telemetry/internal_span_attributes.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"

#include <vector>

namespace switchyard::telemetry {

namespace {

/// The keys of the internal spans, looked up once per process rather than
/// per span.
struct internal_keys {
  attribute_key candidates{attrs::candidates};
  attribute_key chosen_model{attrs::chosen_model};
  attribute_key cost_usd{attrs::cost_usd};
  attribute_key ensemble_cut{attrs::ensemble_cut};
  attribute_key ensemble_deadline{attrs::ensemble_deadline};
  attribute_key ensemble_members{attrs::ensemble_members};
  attribute_key ensemble_quorum{attrs::ensemble_quorum};
  attribute_key ensemble_strategy{attrs::ensemble_strategy};
  attribute_key ensemble_winner{attrs::ensemble_winner};
  attribute_key fallbacks{attrs::fallbacks};
  attribute_key judge_fallback{attrs::judge_fallback};
  attribute_key judge_model{attrs::judge_model};
  attribute_key parallel{attrs::parallel};
  attribute_key plan_kind{attrs::plan_kind};
  attribute_key route_round{attrs::route_round};
  attribute_key selection_rule{attrs::selection_rule};
  attribute_key step_cut{attrs::step_cut};
  attribute_key step_index{attrs::step_index};
  attribute_key step_model{attrs::step_model};
  attribute_key step_outcome{attrs::step_outcome};
  attribute_key step_revision{attrs::step_revision};
  attribute_key step_role{attrs::step_role};
  attribute_key step_route_as{attrs::step_route_as};
  attribute_key task_type{attrs::task_type};
  attribute_key tier{attrs::tier};

  static const internal_keys& get() {
    static const internal_keys keys;
    return keys;
  }
};

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
  const auto& k = internal_keys::get();
  s.set(k.task_type, engine::to_string(d.cls.type))
    .set(k.tier, engine::to_string(d.cls.tier))
    .set(k.candidates, d.candidates.size())
    .set(k.selection_rule, engine::to_string(d.rule))
    .set(k.route_round, round);
  if (!d.has_model()) {
    s.fail("no model can take the task");
    return;
  }
  s.set(k.chosen_model, model_id(reg, d.model))
    .set(k.fallbacks, d.fallbacks.size());
  if (d.parallel)
    s.set(k.parallel, true);
}

void describe_plan(active_span& s, engine::plan_kind kind) {
  if (!s.recording())
    return;
  const auto& k = internal_keys::get();
  s.set(k.plan_kind, engine::to_string(kind));
}

void describe_step(active_span& s, std::size_t index,
                   const engine::step_outcome& step, engine::plan_kind kind) {
  if (!s.recording())
    return;
  const auto& k = internal_keys::get();
  s.set(k.step_index, index)
    .set(k.step_role, step.role)
    .set(k.step_route_as, engine::to_string(step.route_as))
    .set(k.plan_kind, engine::to_string(kind));
  if (step.revision > 0)
    s.set(k.step_revision, step.revision);
}

void describe_step_end(active_span& s, const step_end& end) {
  if (!s.recording())
    return;
  const auto& k = internal_keys::get();
  s.set(k.step_outcome, end.outcome)
    .set(k.cost_usd, engine::nanos_to_usd(end.cost_nanos));
  if (!end.model.empty())
    s.set(k.step_model, end.model);
  if (end.outcome == "cut")
    s.set(k.step_cut, true);
  else if (end.outcome == "failed")
    s.fail(end.error.empty() ? std::string_view{"failed"} : end.error);
}

void describe_ensemble(active_span& s, const engine::ensemble_plan& e,
                       const engine::registry& reg) {
  if (!s.recording())
    return;
  const auto& k = internal_keys::get();
  s.set(k.ensemble_strategy, engine::to_string(e.strategy))
    .set(k.ensemble_members, model_ids(reg, e.members))
    .set(k.ensemble_quorum, e.quorum);
  if (e.deadline_ms > 0)
    s.set(k.ensemble_deadline, static_cast<double>(e.deadline_ms) / 1e3);
  if (e.has_judge)
    s.set(k.judge_model, model_id(reg, e.judge));
}

void describe_ensemble_end(active_span& s, std::optional<std::uint16_t> winner,
                           std::span<const std::uint16_t> cut,
                           bool judge_fallback, engine::usd_nanos cost_nanos,
                           std::string_view error,
                           const engine::registry& reg) {
  if (!s.recording())
    return;
  const auto& k = internal_keys::get();
  s.set(k.cost_usd, engine::nanos_to_usd(cost_nanos));
  if (!cut.empty())
    s.set(k.ensemble_cut, model_ids(reg, cut));
  if (judge_fallback)
    s.set(k.judge_fallback, true);
  if (winner)
    s.set(k.ensemble_winner, model_id(reg, *winner));
  else
    s.fail(error.empty() ? std::string_view{"the ensemble failed"} : error);
}

} // namespace switchyard::telemetry
