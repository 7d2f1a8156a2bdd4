// Hedged ensembles on simulated time: an ensemble proceeds at its quorum or
// its deadline and cancels its stragglers (DESIGN.md "Execution plans").
#include "actor_fixture.hpp"
#include "switchyard/actors/decision_record_json.hpp"

#include <algorithm>
#include <memory>
#include <optional>

using namespace switchyard;
using namespace switchyard::test;
using namespace std::chrono_literals;
using engine::call_error;

namespace {

constexpr const char* audit
  = "Audit production deployment for security vulnerabilities";

/// The audit, critical, as one ensemble (not a plan of specialists).
task_spec audit_task() {
  auto t = actor_fixture::task(audit);
  t.plan = engine::plan_kind::single;
  return t;
}

/// Longer than any test runs: a provider that never answers.
constexpr std::chrono::steady_clock::duration hung = 1h;

/// The ensemble `t` is routed to, with every member's latency set by
/// `latency(member index)` (the judge and other calls: 1 s).
engine::decision
ensemble_with(actor_fixture& f, const task_spec& t,
              std::function<std::chrono::steady_clock::duration(std::size_t)>
                latency) {
  auto d = f.route(t);
  REQUIRE(d);
  REQUIRE(d->decision.parallel);
  REQUIRE(d->decision.ensemble.members.size() == 3);
  auto members = d->decision.ensemble.members;
  std::vector<std::string> ids;
  for (auto m : members)
    ids.push_back(f.model(m).id);
  for (auto& [id, fake] : f.fakes)
    fake->latency_for = [ids, latency](const engine::call_request& r) {
      for (std::size_t i = 0; i < ids.size(); ++i)
        if (r.model == ids[i])
          return latency(i);
      return std::chrono::steady_clock::duration{1s};
    };
  return std::move(d->decision);
}

std::size_t total_cancelled(actor_fixture& f) {
  std::size_t n = 0;
  for (auto& [id, fake] : f.fakes)
    n += fake->cancelled;
  return n;
}

std::size_t total_in_flight(actor_fixture& f) {
  std::size_t n = 0;
  for (auto& [id, fake] : f.fakes)
    n += fake->in_flight();
  return n;
}

call_error attempt_error(const task_reply& r, std::uint16_t model) {
  for (const auto& a : r.attempts)
    if (a.model == model)
      return a.error;
  FAIL("no attempt of model " << model);
  return call_error::none;
}

/// Asks the judge actor for `d`'s ensemble directly, as the coordinator
/// does, so that the whole reply can be read.
std::shared_ptr<std::optional<ensemble_reply>>
run_ensemble(actor_fixture& f, const engine::decision& d) {
  auto slot = std::make_shared<std::optional<ensemble_reply>>();
  f.sys.spawn(
    [slot, d](caf::event_based_actor* self, judge_actor judge) {
      self
        ->request(judge, caf::infinite, ensemble_atom::value,
                  audit_task(), d)
        .then([slot](ensemble_reply& r) { *slot = std::move(r); });
    },
    f.graph.judge);
  f.run();
  return slot;
}

} // namespace

TEST_CASE_METHOD(actor_fixture,
                 "a hung member is cut at the ensemble's deadline",
                 "[actors][ensemble][hedging]") {
  reg.policy.ensemble_member_timeout_s = 5;
  start();
  auto t = audit_task();
  t.strategy = engine::consensus_strategy::quality_weighted;
  auto d = ensemble_with(*this, t, [](std::size_t i) {
    return i == 1 ? hung : std::chrono::steady_clock::duration{1s};
  });
  // The member timeout is below 3 x any member's estimate here.
  REQUIRE(d.ensemble.deadline_ms == 5'000);
  auto stuck = d.ensemble.members[1];
  auto t0 = now();
  auto p = execute(t);
  run();
  advance(1s);
  CHECK(*p.count == 0); // two answers; the third is awaited until 5 s
  advance(3999ms);
  CHECK(*p.count == 0);
  advance(1ms);
  REQUIRE(*p.count == 1);
  CHECK(now() - t0 == 5s);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(r.parallel);
  CHECK(r.model != stuck);
  REQUIRE(r.attempts.size() == 3);
  CHECK(attempt_error(r, stuck) == call_error::cancelled);
  CHECK(attempt_error(r, d.ensemble.members[0]) == call_error::none);
  CHECK(total_cancelled(*this) == 1);
  CHECK(total_in_flight(*this) == 0);
}

TEST_CASE_METHOD(actor_fixture,
                 "the judge's reply names the members it cut, and the judge "
                 "still rules",
                 "[actors][ensemble][hedging]") {
  reg.policy.ensemble_member_timeout_s = 5;
  start();
  auto d = ensemble_with(*this, audit_task(), [](std::size_t i) {
    return i == 2 ? hung : std::chrono::steady_clock::duration{2s};
  });
  REQUIRE(d.ensemble.strategy == engine::consensus_strategy::judge);
  REQUIRE(d.ensemble.has_judge);
  auto t0 = now();
  auto reply = run_ensemble(*this, d);
  advance(2s);
  CHECK_FALSE(*reply);
  advance(3s);
  // The deadline passed: the judge is asked (1 s) about the two answers.
  CHECK_FALSE(*reply);
  CHECK(total_cancelled(*this) == 1);
  advance(1s);
  REQUIRE(*reply);
  CHECK(now() - t0 == 6s);
  const auto& e = **reply;
  REQUIRE(e.ok);
  CHECK(e.cut == std::vector<std::uint16_t>{d.ensemble.members[2]});
  CHECK(e.winner != d.ensemble.members[2]);
  REQUIRE(e.members.size() == 3);
  CHECK(e.members[2].error == call_error::cancelled);
  CHECK(e.members[0].error == call_error::none);
  CHECK(total_in_flight(*this) == 0);
}

TEST_CASE_METHOD(actor_fixture,
                 "with a quorum of 2 the ensemble proceeds after two answers",
                 "[actors][ensemble][hedging]") {
  reg.policy.ensemble_quorum = 2;
  reg.policy.ensemble_member_timeout_s = 5;
  start();
  auto t = audit_task();
  t.strategy = engine::consensus_strategy::quality_weighted;
  auto d = ensemble_with(*this, t, [](std::size_t i) {
    return i == 0   ? std::chrono::steady_clock::duration{1s}
           : i == 1 ? std::chrono::steady_clock::duration{2s}
                    : hung;
  });
  REQUIRE(d.ensemble.quorum == 2);
  SECTION("through the coordinator") {
    auto t0 = now();
    auto p = execute(t);
    run();
    advance(1s);
    CHECK(*p.count == 0);
    advance(1s);
    REQUIRE(*p.count == 1);
    CHECK(now() - t0 == 2s);
    REQUIRE((*p.slot)->ok());
    CHECK(attempt_error(**p.slot, d.ensemble.members[2])
          == call_error::cancelled);
  }
  SECTION("the reply names the one cut") {
    auto reply = run_ensemble(*this, d);
    advance(2s);
    REQUIRE(*reply);
    REQUIRE((*reply)->ok);
    CHECK((*reply)->cut == std::vector<std::uint16_t>{d.ensemble.members[2]});
  }
  CHECK(total_cancelled(*this) == 1);
  CHECK(total_in_flight(*this) == 0);
}

TEST_CASE_METHOD(actor_fixture,
                 "a deadline without any success keeps waiting for the first",
                 "[actors][ensemble][hedging]") {
  reg.policy.ensemble_member_timeout_s = 5;
  start();
  auto t = audit_task();
  t.strategy = engine::consensus_strategy::quality_weighted;
  auto d = ensemble_with(*this, t, [](std::size_t i) {
    return i == 0   ? std::chrono::steady_clock::duration{8s}
           : i == 1 ? hung
                    : std::chrono::steady_clock::duration{2s};
  });
  REQUIRE(d.ensemble.deadline_ms == 5'000);
  auto failing = model(d.ensemble.members[2]).id;
  for (auto& [id, fake] : fakes)
    fake->script = [failing](const engine::call_request& r, std::size_t) {
      return r.model == failing
               ? fake_provider::failure(r, call_error::client_error)
               : fake_provider::answer(r);
    };
  auto t0 = now();
  auto p = execute(t);
  run();
  advance(2s); // the one failure
  advance(3s); // the deadline, with nothing to proceed with
  CHECK(*p.count == 0);
  CHECK(total_cancelled(*this) == 0);
  advance(2999ms);
  CHECK(*p.count == 0);
  advance(1ms); // the first success: proceed, cutting the hung member
  REQUIRE(*p.count == 1);
  CHECK(now() - t0 == 8s);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(r.model == d.ensemble.members[0]);
  CHECK(attempt_error(r, d.ensemble.members[1]) == call_error::cancelled);
  CHECK(attempt_error(r, d.ensemble.members[2]) == call_error::client_error);
  CHECK(total_cancelled(*this) == 1);
  CHECK(total_in_flight(*this) == 0);
}

TEST_CASE_METHOD(actor_fixture,
                 "the explained decision shows its ensemble's deadline",
                 "[actors][ensemble][hedging][explain]") {
  reg.policy.ensemble_quorum = 2;
  start();
  auto d = route(audit_task());
  REQUIRE(d);
  REQUIRE(d->decision.parallel);
  decision_record rec;
  rec.decision_id = d->decision_id;
  rec.task = audit_task();
  rec.rounds.push_back({route_context{}, d->decision, 0});
  engine::keyword_classifier cls;
  auto json = actors::decision_record_json(rec, {}, reg, true, cls);
  CHECK_THAT(json, Catch::Contains(
                     "\"ensemble_hedging\":{\"deadline_ms\":"
                     + std::to_string(d->decision.ensemble.deadline_ms)
                     + ",\"quorum\":2}"));
  // Recorded before hedging: no deadline; every member is the quorum.
  rec.rounds[0].decision.ensemble.deadline_ms = 0;
  rec.rounds[0].decision.ensemble.quorum = 0;
  json = actors::decision_record_json(rec, {}, reg, true, cls);
  CHECK_THAT(json, Catch::Contains("\"ensemble_hedging\":{\"deadline_ms\":"
                                   "null,\"quorum\":3}"));
  // A round without an ensemble.
  rec.rounds[0].decision = route(task("say hello"))->decision;
  json = actors::decision_record_json(rec, {}, reg, true, cls);
  CHECK_THAT(json, Catch::Contains("\"ensemble_hedging\":null"));
}

TEST_CASE_METHOD(actor_fixture,
                 "first_success names the members it cancelled as cut",
                 "[actors][ensemble][hedging]") {
  start();
  auto t = audit_task();
  t.strategy = engine::consensus_strategy::first_success;
  auto d = ensemble_with(*this, t, [](std::size_t i) {
    return i == 2 ? std::chrono::steady_clock::duration{1s}
                  : std::chrono::steady_clock::duration{3s};
  });
  auto reply = run_ensemble(*this, d);
  advance(1s);
  REQUIRE(*reply);
  REQUIRE((*reply)->ok);
  CHECK((*reply)->winner == d.ensemble.members[2]);
  CHECK((*reply)->cut
        == std::vector<std::uint16_t>{d.ensemble.members[0],
                                      d.ensemble.members[1]});
  CHECK(total_cancelled(*this) == 2);
  CHECK(total_in_flight(*this) == 0);
}
