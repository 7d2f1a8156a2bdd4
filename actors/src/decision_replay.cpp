#include "switchyard/actors/decision_replay.hpp"

#include "switchyard/actors/plan_step_spec.hpp"
#include "switchyard/actors/task_routing.hpp"
#include "switchyard/engine/estimate.hpp"
#include "switchyard/engine/router.hpp"

#include <algorithm>
#include <cmath>

namespace switchyard::actors {

namespace {

/// Copies what a compact record does not store from `from` into `to`.
void copy_evidence(const engine::decision& from, engine::decision& to) {
  to.candidates = from.candidates;
  to.filtered_out = from.filtered_out;
}

std::string hex(std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4)
    out[static_cast<std::size_t>(i)] = digits[v & 15];
  return out;
}

/// A compact round: what it stores compared field by field, its evidence
/// by digest.
std::optional<engine::decision_difference>
compact_difference(const decision_round& logged,
                   const engine::decision& recomputed,
                   const engine::registry& reg) {
  auto stored = logged.decision;
  copy_evidence(recomputed, stored);
  if (auto d = engine::first_difference(stored, recomputed, reg))
    return d;
  auto now = engine::evidence_hash(recomputed);
  if (logged.evidence_hash != 0 && logged.evidence_hash != now)
    return engine::decision_difference{
      "evidence (candidates' points or filtered models; the log keeps a "
      "digest)",
      hex(logged.evidence_hash), hex(now)};
  return std::nullopt;
}

/// Why `rec` cannot be recomputed with `prompt`; empty when it can.
std::string unreplayable(const decision_record& rec, const std::string* prompt,
                         task_spec& task) {
  if (rec.prompts == prompt_retention::full)
    return {};
  if (prompt == nullptr)
    return "the record keeps no prompt text (storage.prompts: "
           + std::string{to_string(rec.prompts)}
           + "): supply the newest user turn to recompute it";
  task.text = *prompt;
  return {};
}

/// Routes `round` again for `task` and compares.
round_replay replay_round(const decision_round& round, const task_spec& task,
                          const task_shape& shape,
                          const engine::classification& cls,
                          const engine::router& router,
                          const engine::registry& reg, bool evidence_stored) {
  const auto& logged = round.decision;
  round_replay r;
  r.inputs_recorded = logged.inputs.recorded;
  auto req = route_request_for(task, round.context, shape);
  engine::performance_table table;
  auto state = engine::replay_state(logged.inputs, logged.cls.type,
                                    reg.models.size(), table);
  if (!logged.inputs.recorded)
    state.budget_remaining = round.context.budget_remaining;
  router.route(req, state, r.recomputed, &cls);
  r.difference = evidence_stored
                   ? engine::first_difference(logged, r.recomputed, reg)
                   : compact_difference(round, r.recomputed, reg);
  return r;
}

// -- plan steps ---------------------------------------------------------------

/// Whether the log holds the text a step was classified on: the task's for
/// every step but a critic's or a judge's that ran, whose input holds the
/// answer it rated (a route-only plan routes it on the task's text too).
bool reads_task_text(const engine::step_outcome& o, bool executed) {
  return !executed || (o.role != "critic" && o.role != "judge");
}

/// The budget in USD whose cap the router computes (usd_to_nanos_ceil) is
/// `cap`: the division and the multiplication back may each round.
double usd_for_cap(engine::usd_nanos cap) {
  auto usd = engine::nanos_to_usd(cap);
  for (int i = 0; i < 8 && engine::usd_to_nanos_ceil(usd) != cap; ++i)
    usd = std::nextafter(usd, engine::usd_to_nanos_ceil(usd) > cap
                                ? -HUGE_VAL
                                : HUGE_VAL);
  return usd;
}

/// The task a step was routed as (plan_step_spec), from what the log keeps
/// of it; `text` is the text it was classified on.
task_spec step_task(const plan_step_record& step, const task_spec& task,
                    bool executed, engine::task_type type,
                    const engine::registry& reg) {
  const auto& o = step.outcome;
  const auto& first = step.rounds.front().decision;
  auto s = step_routing(task, type, o.route_as, o.final);
  if (reads_task_text(o, executed))
    s.text = task.text;
  if (o.role == "escalation") {
    auto m = o.has_model ? o.model : first.model;
    if (m < reg.models.size())
      s.force_model = reg.models[m].id;
  }
  // The requirement as logged: each round's cap is the step's budget or
  // what was left, whichever was less, so the largest is the step's own
  // unless every round was capped by what was left (then it serves as
  // well). The input tokens are the text's plus the context's.
  engine::usd_nanos cap = 0;
  for (const auto& round : step.rounds)
    cap = std::max(cap, round.decision.budget_cap);
  s.budget_usd = usd_for_cap(cap);
  s.max_output_tokens = first.tokens.output;
  auto text_alone = engine::estimate_input_tokens(s.text.size(), 0);
  s.context_tokens = first.tokens.input > text_alone
                       ? first.tokens.input - text_alone
                       : 0;
  return s;
}

step_replay replay_step(const plan_step_record& step, const task_spec& task,
                        bool executed, const task_shape& conversation,
                        engine::task_type type,
                        const engine::keyword_classifier& classifier,
                        const engine::router& router,
                        const engine::registry& reg, bool evidence_stored) {
  step_replay out;
  out.role = step.outcome.role;
  out.revision = step.outcome.revision;
  if (step.rounds.empty())
    return out;
  auto s = step_task(step, task, executed, type, reg);
  // The step's text alone: its context is in context_tokens. A final step
  // sends the conversation's fields; any other a system and a user turn of
  // text, which use none.
  task_shape shape;
  shape.text_bytes = s.text.size();
  shape.fields = step.outcome.final ? conversation.fields : 0;
  shape.recorded = true;
  auto cls = step.rounds.front().decision.cls;
  out.classification_logged = !reads_task_text(step.outcome, executed);
  if (!out.classification_logged)
    cls = classify_task(classifier, s, shape);
  for (const auto& round : step.rounds)
    out.rounds.push_back(
      replay_round(round, s, shape, cls, router, reg, evidence_stored));
  return out;
}

} // namespace

replay_report replay_decision(const decision_record& rec,
                              const engine::registry& reg,
                              const engine::keyword_classifier& classifier,
                              const std::string* prompt) {
  replay_report report;
  report.decision_id = rec.decision_id;
  report.replay_config_hash = reg.config_hash;
  if (!rec.rounds.empty())
    report.logged_config_hash = rec.rounds.front().decision.config_hash;
  auto task = rec.task;
  report.not_recomputed = unreplayable(rec, prompt, task);
  if (!report.not_recomputed.empty())
    return report;
  engine::router router{reg, classifier};
  auto shape = shape_of(rec);
  // Later rounds reuse the first round's classification; the classifier is
  // deterministic, so classifying once serves every round.
  auto cls = classify_task(classifier, task, shape);
  for (const auto& round : rec.rounds)
    report.rounds.push_back(replay_round(round, task, shape, cls, router, reg,
                                         rec.evidence_stored));
  if (rec.rounds.empty())
    return report;
  // Each step was routed as the type the task's own routing gave it.
  auto type = rec.rounds.front().decision.cls.type;
  for (const auto& step : rec.steps)
    report.steps.push_back(replay_step(step, task, rec.execute, shape, type,
                                       classifier, router, reg,
                                       rec.evidence_stored));
  return report;
}

bool restore_evidence(decision_record& rec, const engine::registry& reg,
                      const engine::keyword_classifier& classifier) {
  if (rec.evidence_stored)
    return true;
  auto report = replay_decision(rec, reg, classifier);
  if (!report.not_recomputed.empty() || report.config_differs())
    return false;
  for (std::size_t i = 0; i < rec.steps.size() && i < report.steps.size();
       ++i) {
    auto& step = rec.steps[i];
    const auto& replayed = report.steps[i];
    if (replayed.rounds.size() != step.rounds.size() || !replayed.identical())
      continue;
    for (std::size_t r = 0; r < step.rounds.size(); ++r)
      copy_evidence(replayed.rounds[r].recomputed, step.rounds[r].decision);
  }
  if (report.rounds.size() != rec.rounds.size() || !report.rounds_identical())
    return false;
  for (std::size_t i = 0; i < rec.rounds.size(); ++i)
    copy_evidence(report.rounds[i].recomputed, rec.rounds[i].decision);
  rec.evidence_recomputed = true;
  return true;
}

bool has_evidence(const decision_record& rec,
                  const plan_step_record& step) noexcept {
  if (rec.evidence_stored)
    return true;
  // A recomputed round holds every model of the registry, as a candidate
  // or as filtered out.
  return std::all_of(step.rounds.begin(), step.rounds.end(),
                     [](const decision_round& round) {
                       return !round.decision.candidates.empty()
                              || !round.decision.filtered_out.empty();
                     });
}

} // namespace switchyard::actors
