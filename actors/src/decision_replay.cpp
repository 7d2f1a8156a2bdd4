#include "switchyard/actors/decision_replay.hpp"

#include "switchyard/actors/task_routing.hpp"
#include "switchyard/engine/router.hpp"

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
  engine::performance_table table;
  for (const auto& round : rec.rounds) {
    const auto& logged = round.decision;
    round_replay r;
    r.inputs_recorded = logged.inputs.recorded;
    auto req = route_request_for(task, round.context, shape);
    auto state = engine::replay_state(logged.inputs, logged.cls.type,
                                      reg.models.size(), table);
    if (!logged.inputs.recorded)
      state.budget_remaining = round.context.budget_remaining;
    router.route(req, state, r.recomputed, &cls);
    r.difference = rec.evidence_stored
                     ? engine::first_difference(logged, r.recomputed, reg)
                     : compact_difference(round, r.recomputed, reg);
    report.rounds.push_back(std::move(r));
  }
  return report;
}

bool restore_evidence(decision_record& rec, const engine::registry& reg,
                      const engine::keyword_classifier& classifier) {
  if (rec.evidence_stored)
    return true;
  auto report = replay_decision(rec, reg, classifier);
  if (!report.not_recomputed.empty() || report.config_differs()
      || report.rounds.size() != rec.rounds.size() || !report.identical())
    return false;
  for (std::size_t i = 0; i < rec.rounds.size(); ++i)
    copy_evidence(report.rounds[i].recomputed, rec.rounds[i].decision);
  rec.evidence_recomputed = true;
  return true;
}

} // namespace switchyard::actors
