#include "switchyard/actors/decision_replay.hpp"

#include "switchyard/actors/task_routing.hpp"
#include "switchyard/engine/router.hpp"

namespace switchyard::actors {

replay_report replay_decision(const decision_record& rec,
                              const engine::registry& reg,
                              const engine::keyword_classifier& classifier) {
  replay_report report;
  report.decision_id = rec.decision_id;
  report.replay_config_hash = reg.config_hash;
  if (!rec.rounds.empty())
    report.logged_config_hash = rec.rounds.front().decision.config_hash;
  engine::router router{reg, classifier};
  // Later rounds reuse the first round's classification; the classifier is
  // deterministic, so classifying once serves every round.
  auto cls = classify_task(classifier, rec.task);
  engine::performance_table table;
  for (const auto& round : rec.rounds) {
    const auto& logged = round.decision;
    round_replay r;
    r.inputs_recorded = logged.inputs.recorded;
    auto req = route_request_for(rec.task, round.context);
    auto state = engine::replay_state(logged.inputs, logged.cls.type,
                                      reg.models.size(), table);
    if (!logged.inputs.recorded)
      state.budget_remaining = round.context.budget_remaining;
    router.route(req, state, r.recomputed, &cls);
    r.difference = engine::first_difference(logged, r.recomputed, reg);
    report.rounds.push_back(std::move(r));
  }
  return report;
}

} // namespace switchyard::actors
