// Replaying a plan's decision record: every step's routing recomputed as the
// task the step was routed as (plan_step_spec), without CAF. The record is
// made the way the coordinator makes it: the plan flow drives the steps, the
// classifier's and scorer's functions route each, and log_plan's fields are
// filled from the flow; then it goes through the store's encoding.
#include "switchyard/actors/decision_replay.hpp"
#include "switchyard/actors/plan_step_spec.hpp"
#include "switchyard/actors/task_routing.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/plan_flow.hpp"
#include "switchyard/storage/record_codec.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace switchyard;

namespace {

/// The world every round reads: some learned cells, a breaker and what is
/// left of the budget.
struct routing_world {
  engine::performance_table table;
  std::vector<std::uint8_t> breakers;
  engine::routing_state state;

  explicit routing_world(const engine::registry& reg) {
    table.resize(reg.models.size());
    for (std::uint16_t m = 0; m < reg.models.size(); m += 3)
      for (auto t : {engine::task_type::code_generation,
                     engine::task_type::general})
        table.at(m, t) = {0.6 + 0.01 * m, 300.0 + m, 0.5, 20.0, 0.4};
    breakers.assign(reg.providers.size(), 0);
    breakers.back() = 1;
    state.performance = &table;
    state.breaker_open = breakers;
    state.budget_remaining = 2'000'000'000;
  }
};

/// A round as the classifier and scorer actors make it.
decision_round route(const task_spec& t, route_context ctx,
                     const engine::registry& reg,
                     const engine::keyword_classifier& classifier,
                     const routing_world& world) {
  engine::router router{reg, classifier};
  auto cls = actors::classify_task(classifier, t);
  ctx.budget_remaining = world.state.budget_remaining;
  decision_round round;
  round.context = ctx;
  router.route(actors::route_request_for(t, ctx), world.state, round.decision,
               &cls);
  engine::record_inputs(world.state, round.decision.cls.type,
                        reg.models.size(), round.decision.inputs);
  return round;
}

/// A task that ran `kind` (none: a single call with quality escalation),
/// every step answered with `answer_for(role)`; or, unless `execute`, that
/// routed every step of it.
template <class Answer>
decision_record run_plan(const engine::registry& reg,
                         std::optional<engine::plan_kind> kind,
                         const task_spec& task, Answer answer_for,
                         bool execute = true) {
  engine::keyword_classifier classifier;
  routing_world world{reg};
  decision_record rec;
  rec.decision_id = 7;
  rec.execute = execute;
  rec.task = actors::logged_task(task);
  rec.shape = actors::shape_of(task);
  rec.rounds.push_back(route(task, {}, reg, classifier, world));
  const auto& decided = rec.rounds.front().decision;
  REQUIRE(decided.has_model());
  engine::plan_request req;
  req.tier = decided.cls.tier;
  req.type = decided.cls.type;
  req.requested = kind.value_or(engine::plan_kind::single);
  req.max_revisions = reg.plans.max_revisions;
  engine::plan_flow flow{reg, engine::build_plan(req), decided, task.text,
                         {decided.budget_cap, !kind.has_value()}};
  std::map<std::size_t, std::vector<decision_round>> rounds;
  std::vector<engine::step_launch> pending;
  auto apply = [&](engine::plan_next n) {
    for (auto& l : n.launches)
      pending.push_back(std::move(l));
    return n.action;
  };
  auto action = apply(execute ? flow.start() : flow.route_all());
  while (!execute && !pending.empty()) {
    auto l = std::move(pending.front());
    pending.erase(pending.begin());
    route_context ctx;
    ctx.exclude = l.avoid;
    auto round = route(actors::plan_step_spec(task, decided, l, reg), ctx, reg,
                       classifier, world);
    flow.routed(l.step, round.decision.has_model(), round.decision.model);
    rounds[l.step].push_back(std::move(round));
    action = engine::plan_action::succeed;
  }
  while (!pending.empty()) {
    auto l = std::move(pending.front());
    pending.erase(pending.begin());
    auto spec = actors::plan_step_spec(task, decided, l, reg);
    route_context ctx;
    ctx.exclude = l.avoid;
    auto round = route(spec, ctx, reg, classifier, world);
    engine::step_result r;
    r.ok = round.decision.has_model();
    r.has_model = r.ok;
    r.model = round.decision.model;
    r.text = answer_for(flow.outcomes()[l.step].role);
    r.cost_nanos = 1'000;
    r.latency_ms = 10.0;
    r.routed = &round.decision;
    action = apply(flow.finished(l.step, std::move(r)));
    rounds[l.step].push_back(std::move(round));
  }
  REQUIRE(action == engine::plan_action::succeed);
  rec.plan = flow.kind();
  rec.plan_dropped = flow.dropped();
  for (std::size_t i = 0; i < flow.outcomes().size(); ++i)
    rec.steps.push_back({flow.outcomes()[i], std::move(rounds[i]), {}});
  return rec;
}

/// `rec` as the store writes and reads it back: compact, its shared inputs
/// by hash.
decision_record stored(const decision_record& rec) {
  std::map<std::uint64_t, std::string> inputs;
  std::vector<std::uint64_t> hashes;
  storage::for_each_round(rec, [&](const decision_round& round) {
    auto shared = storage::encode_shared_inputs(round.decision.inputs);
    inputs[shared.hash] = storage::shared_inputs_value(shared, 0);
    hashes.push_back(shared.hash);
  });
  auto back = storage::decode_decision(
    storage::encode_decision(rec, prompt_retention::full, hashes),
    [&](std::uint64_t h) -> caf::expected<std::string> {
      if (auto i = inputs.find(h); i != inputs.end())
        return i->second;
      return caf::make_error(error_code::not_found, "no such inputs");
    });
  REQUIRE(back);
  return std::move(*back);
}

task_spec code_task() {
  task_spec t;
  t.text = "Write a fibonacci function in Python with tests";
  t.budget_usd = 1.0;
  return t;
}

/// Routed to a small model, which a stronger one can take over from.
task_spec simple_task() {
  task_spec t;
  t.text = "say hello";
  t.budget_usd = 1.0;
  return t;
}

void require_identical(const actors::replay_report& report) {
  if (auto d = report.divergence())
    FAIL("step " << (d->step ? std::to_string(*d->step + 1) : "-")
                 << ", round " << d->round + 1 << ": "
                 << d->replayed->difference->path << ": logged "
                 << d->replayed->difference->logged << ", recomputed "
                 << d->replayed->difference->recomputed);
  REQUIRE(report.identical());
}

} // namespace

TEST_CASE("replay recomputes every step of every plan kind the same, from "
          "the record as stored",
          "[replay][plan]") {
  auto reg = config::default_registry();
  reg.plans.max_revisions = 1;
  reg.plans.escalate_below_quality = 0.9;
  engine::keyword_classifier classifier;
  // The critic asks for a revision once; the judge rates the answer low.
  int critiques = 0;
  auto answer = [&](const std::string& role) -> std::string {
    if (role == "critic")
      return ++critiques == 1 ? "SCORE: 3\nthe tests are missing"
                              : "SCORE: 9";
    if (role == "judge")
      return "SCORE: 2";
    return "def fib(n): ... (" + role + ")";
  };
  for (auto kind : {std::optional<engine::plan_kind>{},
                    std::optional{engine::plan_kind::chain},
                    std::optional{engine::plan_kind::specialists},
                    std::optional{engine::plan_kind::critic}}) {
    critiques = 0;
    INFO((kind ? to_string(*kind) : "single with escalation"));
    auto logged
      = run_plan(reg, kind, kind ? code_task() : simple_task(), answer);
    REQUIRE(logged.steps.size() >= 2);
    auto rec = stored(logged);
    REQUIRE(rec.steps.size() == logged.steps.size());
    auto report = actors::replay_decision(rec, reg, classifier);
    require_identical(report);
    REQUIRE(report.steps.size() == rec.steps.size());
    for (std::size_t i = 0; i < rec.steps.size(); ++i) {
      const auto& o = rec.steps[i].outcome;
      INFO("step " << i << ": " << o.role);
      CHECK(report.steps[i].role == o.role);
      CHECK(report.steps[i].rounds.size() == rec.steps[i].rounds.size());
      CHECK(report.steps[i].classification_logged
            == (o.role == "critic" || o.role == "judge"));
    }
    // Explain's evidence comes back for the task and for every step.
    REQUIRE(actors::restore_evidence(rec, reg, classifier));
    for (const auto& step : rec.steps) {
      CHECK(actors::has_evidence(rec, step));
      for (std::size_t r = 0; r < step.rounds.size(); ++r)
        CHECK(step.rounds[r].decision.candidates.size()
              == logged.steps[&step - rec.steps.data()]
                   .rounds[r]
                   .decision.candidates.size());
    }
  }
  // The plans the flow ran: the critic's revision and the escalation.
  critiques = 0;
  auto critic = run_plan(reg, engine::plan_kind::critic, code_task(), answer);
  CHECK(std::any_of(critic.steps.begin(), critic.steps.end(),
                    [](const plan_step_record& s) {
                      return s.outcome.revision == 1;
                    }));
  auto escalated = run_plan(reg, std::nullopt, simple_task(), answer);
  INFO(escalated.steps.back().outcome.note);
  REQUIRE(escalated.steps.back().outcome.role == "escalation");
  CHECK(escalated.steps.back().rounds.at(0).decision.rule
        == engine::selection_rule::forced);
}

TEST_CASE("replay recomputes a route-only plan's steps",
          "[replay][plan]") {
  auto reg = config::default_registry();
  engine::keyword_classifier classifier;
  for (auto kind : {engine::plan_kind::chain, engine::plan_kind::critic}) {
    INFO(to_string(kind));
    auto rec = stored(run_plan(
      reg, kind, code_task(), [](const std::string& role) { return role; },
      false));
    REQUIRE(rec.steps.size() >= 2);
    CHECK_FALSE(rec.steps.front().outcome.ran);
    auto report = actors::replay_decision(rec, reg, classifier);
    require_identical(report);
    REQUIRE(report.steps.size() == rec.steps.size());
    // Every step was routed on the task's text, a critic's too.
    for (const auto& s : report.steps)
      CHECK_FALSE(s.classification_logged);
  }
}

TEST_CASE("replay says which step of a plan came out differently",
          "[replay][plan]") {
  auto reg = config::default_registry();
  engine::keyword_classifier classifier;
  auto logged = run_plan(reg, engine::plan_kind::specialists, code_task(),
                         [](const std::string& role) { return role; });
  auto rec = stored(logged);
  // The second specialist's logged choice is not what its inputs give.
  auto& changed = rec.steps.at(1).rounds.at(0).decision;
  changed.model = changed.model == 0 ? 1 : 0;
  auto report = actors::replay_decision(rec, reg, classifier);
  CHECK(report.rounds_identical());
  CHECK_FALSE(report.identical());
  CHECK(report.first_divergence() == nullptr);
  auto d = report.divergence();
  REQUIRE(d);
  CHECK(d->step == std::optional<std::size_t>{1});
  CHECK(d->round == 0);
  CHECK(d->replayed->difference->path == "model");
  CHECK(report.steps[0].identical());
  CHECK_FALSE(report.steps[1].identical());
  // The task's evidence and the other steps' come back; not that step's.
  REQUIRE(actors::restore_evidence(rec, reg, classifier));
  CHECK(actors::has_evidence(rec, rec.steps[0]));
  CHECK_FALSE(actors::has_evidence(rec, rec.steps[1]));
}

TEST_CASE("replay needs the prompt for a plan's steps as for its task",
          "[replay][plan]") {
  auto reg = config::default_registry();
  engine::keyword_classifier classifier;
  auto logged = run_plan(reg, engine::plan_kind::chain, code_task(),
                         [](const std::string& role) { return role; });
  auto rec = stored(logged);
  rec.prompts = prompt_retention::none;
  auto text = rec.task.text;
  rec.task.text.clear();
  auto without = actors::replay_decision(rec, reg, classifier);
  CHECK_FALSE(without.not_recomputed.empty());
  CHECK(without.steps.empty());
  CHECK_FALSE(without.identical());
  require_identical(actors::replay_decision(rec, reg, classifier, &text));
}
