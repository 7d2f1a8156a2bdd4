#include "actor_fixture.hpp"

#include <algorithm>

using namespace switchyard;
using namespace switchyard::test;
using namespace std::chrono_literals;
using engine::call_error;

namespace {

/// Every provider fails its calls with `e` when `fails(provider)` says so.
void fail_providers(actor_fixture& f, std::function<bool(const std::string&)> fails,
                    call_error e) {
  for (auto& [id, fake] : f.fakes)
    if (fails(id))
      fake->script = [e](const engine::call_request& r, std::size_t) {
        return fake_provider::failure(r, e);
      };
}

std::vector<std::string> attempted_models(const actor_fixture& f,
                                          const task_reply& r) {
  std::vector<std::string> out;
  for (const auto& a : r.attempts)
    out.push_back(f.model(a.model).id);
  return out;
}

} // namespace

TEST_CASE_METHOD(actor_fixture, "a task gets its answer from the chosen model",
                 "[actors]") {
  start();
  auto p = execute(task("Review this pull request diff for bugs"));
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(model(r.model).id == "claude-sonnet-4");
  CHECK(r.text == "answer from claude-sonnet-4");
  CHECK(r.cost_nanos == 1000);
  CHECK(r.decision_id != 0);
  // The call carried the task and a max_tokens that fits the reservation.
  REQUIRE(fake("anthropic").started.size() == 1);
  const auto& req = fake("anthropic").started[0].request;
  CHECK(req.upstream_model == model(index("claude-sonnet-4")).upstream);
  CHECK(req.messages.back().text() == "Review this pull request diff for bugs");
  CHECK(req.max_tokens > 0);
}

TEST_CASE_METHOD(actor_fixture, "fallbacks are tried in order", "[actors]") {
  start();
  auto decision = route(task("Review this pull request diff for bugs"));
  REQUIRE(decision);
  auto chain = decision->decision.fallbacks;
  REQUIRE(chain.size() >= 2);
  // The primary and the first fallback fail without retries.
  auto bad = std::vector<std::string>{model(decision->decision.model).provider,
                                      model(chain[0]).provider};
  fail_providers(*this, [&](const std::string& p) {
    return std::find(bad.begin(), bad.end(), p) != bad.end();
  }, call_error::malformed);
  auto p = execute(task("Review this pull request diff for bugs"));
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  auto tried = attempted_models(*this, r);
  REQUIRE(tried.size() == 3);
  CHECK(tried[0] == model(decision->decision.model).id);
  CHECK(tried[1] == model(chain[0]).id);
  CHECK(tried[2] == model(chain[1]).id);
  CHECK(model(r.model).id == model(chain[1]).id);
}

TEST_CASE_METHOD(actor_fixture, "retries honour Retry-After", "[actors]") {
  start();
  fake("anthropic").script = [](const engine::call_request& r, std::size_t i) {
    if (i == 0) {
      auto x = fake_provider::failure(r, call_error::rate_limited);
      x.retry_after = 2s;
      return x;
    }
    return fake_provider::answer(r);
  };
  auto p = execute(task("Review this pull request diff for bugs"));
  run();
  CHECK(fake("anthropic").started.size() == 1);
  advance(1999ms);
  CHECK(fake("anthropic").started.size() == 1);
  CHECK(*p.count == 0);
  advance(1ms);
  CHECK(fake("anthropic").started.size() == 2);
  REQUIRE(*p.count == 1);
  CHECK((*p.slot)->ok());
  CHECK(model((*p.slot)->model).id == "claude-sonnet-4");
}

TEST_CASE_METHOD(actor_fixture, "a Retry-After beyond 60 s fails over at once",
                 "[actors]") {
  start();
  fake("anthropic").script = [](const engine::call_request& r, std::size_t) {
    auto x = fake_provider::failure(r, call_error::rate_limited);
    x.retry_after = 120s;
    return x;
  };
  auto p = execute(task("Review this pull request diff for bugs"));
  run();
  REQUIRE(*p.count == 1);
  CHECK((*p.slot)->ok());
  CHECK(model((*p.slot)->model).provider != "anthropic");
  CHECK(fake("anthropic").started.size() == 1);
}

TEST_CASE_METHOD(actor_fixture, "after 2 local failures the task escalates to "
                                "a commercial model",
                 "[actors]") {
  start();
  fail_providers(*this, [](const std::string& p) {
    return p == "ollama" || p == "lmstudio";
  }, call_error::malformed);
  auto p = execute(task("Write a fibonacci function"));
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  REQUIRE(r.attempts.size() == 3);
  CHECK(model(r.attempts[0].model).local);
  CHECK(model(r.attempts[1].model).local);
  CHECK_FALSE(model(r.attempts[2].model).local);
  CHECK_FALSE(model(r.model).local);
}

TEST_CASE_METHOD(actor_fixture, "the breaker opens after failures, routing "
                                "avoids the provider, and a probe follows the "
                                "cooldown",
                 "[actors][breaker]") {
  start();
  fail_providers(*this, [](const std::string& p) { return p == "anthropic"; },
                 call_error::malformed);
  // Five tasks whose first choice is Anthropic: each fails there, then falls
  // back; the fifth failure opens the breaker.
  for (int i = 0; i < 5; ++i) {
    auto p = execute(task("Review this pull request diff for bugs"));
    run();
    REQUIRE(*p.count == 1);
    CHECK((*p.slot)->ok());
  }
  CHECK(fake("anthropic").started.size() == 5);
  auto avoided = route(task("Review this pull request diff for bugs"));
  REQUIRE(avoided);
  CHECK(model(avoided->decision.model).provider != "anthropic");
  auto p = execute(task("Review this pull request diff for bugs"));
  run();
  CHECK(fake("anthropic").started.size() == 5);
  // The cooldown (60 s) ends: the provider gets a half-open probe.
  fake("anthropic").script = nullptr;
  advance(60s);
  auto probed = route(task("Review this pull request diff for bugs"));
  REQUIRE(probed);
  CHECK(model(probed->decision.model).provider == "anthropic");
  auto probe = execute(task("Review this pull request diff for bugs"));
  run();
  REQUIRE(*probe.count == 1);
  CHECK(model((*probe.slot)->model).provider == "anthropic");
  CHECK(fake("anthropic").started.size() == 6);
}

TEST_CASE_METHOD(actor_fixture, "calls that never answer time out at the "
                                "total timeout, each at its own deadline, and "
                                "are retried",
                 "[actors][executor]") {
  start();
  auto& anthropic = fake("anthropic");
  // The first two calls hang; the retries answer at once.
  auto calls = std::make_shared<int>(0);
  anthropic.latency_for = [calls](const engine::call_request&) {
    return ++*calls <= 2 ? std::chrono::steady_clock::duration{1h}
                         : std::chrono::steady_clock::duration{0};
  };
  auto first = execute(task("Review this pull request diff for bugs"));
  run();
  advance(60s);
  auto second = execute(task("Review this pull request diff for bugs"));
  run();
  REQUIRE(anthropic.started.size() == 2);
  // The default total timeout is 120 s, counted from each call's start.
  advance(59s);
  CHECK(*first.count == 0);
  CHECK(anthropic.cancelled == 0);
  advance(1s);
  CHECK(anthropic.cancelled == 1);
  // The retry's backoff is at most 5 s.
  advance(5s);
  REQUIRE(*first.count == 1);
  CHECK((*first.slot)->ok());
  CHECK(model((*first.slot)->model).provider == "anthropic");
  CHECK(*second.count == 0);
  advance(54s);
  CHECK(*second.count == 0);
  CHECK(anthropic.cancelled == 1);
  advance(1s);
  CHECK(anthropic.cancelled == 2);
  advance(5s);
  REQUIRE(*second.count == 1);
  CHECK((*second.slot)->ok());
  CHECK(anthropic.started.size() == 4);
  // Answered calls leave no deadline behind: nothing times out later.
  advance(300s);
  CHECK(anthropic.cancelled == 2);
  CHECK(anthropic.started.size() == 4);
}

TEST_CASE_METHOD(actor_fixture, "a budget too small for the chosen model "
                                "routes again to a local one",
                 "[actors][budget]") {
  budgets.global_usd = 0.00001;
  start();
  auto p = execute(task("Review this pull request diff for bugs"));
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(model(r.model).local);
  CHECK(fake("anthropic").started.empty());
}

TEST_CASE_METHOD(actor_fixture, "an exhausted budget forces local, and without "
                                "a local model it is a clear error",
                 "[actors][budget]") {
  budgets.global_usd = 0.0;
  start();
  auto p = execute(task("Review this pull request diff for bugs"));
  run();
  REQUIRE(*p.count == 1);
  REQUIRE((*p.slot)->ok());
  CHECK(model((*p.slot)->model).local);
  CHECK((*p.slot)->decision.rule == engine::selection_rule::budget_local);

  SECTION("no local model") {
    for (auto& m : reg.models)
      if (m.local)
        m.enabled = false;
    // A second graph over the edited registry.
    graph.stop();
    sched.run();
    start();
    auto q = execute(task("Review this pull request diff for bugs"));
    run();
    REQUIRE(*q.count == 1);
    const auto& r = **q.slot;
    CHECK(r.error == error_code::budget_exhausted);
    CHECK_THAT(r.error_message, Catch::Contains("budget is exhausted"));
  }
}

TEST_CASE_METHOD(actor_fixture, "without a cap, calls skip the reservation "
                                "but their cost counts, a key cap set later is "
                                "enforced",
                 "[actors][budget]") {
  start();
  REQUIRE(graph.budget_caps_set);
  CHECK_FALSE(graph.budget_caps_set->load());
  auto ledger_now = [this] {
    auto slot = std::make_shared<std::optional<ledger_summary>>();
    sys.spawn(
      [slot](caf::event_based_actor* self, ledger_actor ledger) {
        self->request(ledger, caf::infinite, stats_atom::value)
          .then([slot](ledger_summary& s) { *slot = std::move(s); });
      },
      graph.ledger);
    run();
    REQUIRE(*slot);
    return **slot;
  };
  auto t = task("Review this pull request diff for bugs");
  t.budget_key = "team-a";
  auto p = execute(t);
  run();
  REQUIRE(*p.count == 1);
  REQUIRE((*p.slot)->ok());
  CHECK_FALSE(model((*p.slot)->model).local);
  auto cost = (*p.slot)->cost_nanos;
  REQUIRE(cost > 0);
  auto before = ledger_now();
  CHECK(before.global.spent_nanos == cost);
  CHECK(before.daily.spent_nanos == cost);
  CHECK(before.open_reservations == 0);
  REQUIRE(before.keys.size() == 1);
  CHECK(before.keys[0].key == "team-a");
  CHECK(before.keys[0].budget.spent_nanos == cost);
  // The key may spend no more than it has: the next task reserves, finds
  // nothing left, and goes local.
  caf::anon_send(graph.ledger, key_cap_atom::value, std::string{"team-a"},
                 std::int64_t{cost});
  run();
  CHECK(graph.budget_caps_set->load());
  auto q = execute(t);
  run();
  REQUIRE(*q.count == 1);
  REQUIRE((*q.slot)->ok());
  CHECK(model((*q.slot)->model).local);
  CHECK(ledger_now().refusals >= 1);
  // The cap removed: no reservations again.
  caf::anon_send(graph.ledger, key_cap_atom::value, std::string{"team-a"},
                 std::int64_t{-1});
  run();
  CHECK_FALSE(graph.budget_caps_set->load());
}

TEST_CASE_METHOD(actor_fixture, "an ensemble runs its specialists in parallel, "
                                "then the judge",
                 "[actors][ensemble]") {
  start();
  for (auto& [id, fake] : fakes)
    fake->latency_default = 1s;
  auto t0 = now();
  auto p = execute(task("Audit production deployment for security vulnerabilities"));
  run();
  // All three members started at once.
  std::size_t started = 0;
  for (auto& [id, fake] : fakes)
    for (const auto& s : fake->started) {
      CHECK(s.at == t0);
      ++started;
    }
  CHECK(started == 3);
  advance(1s);
  CHECK(*p.count == 0); // members done; the judge is working
  std::size_t judge_calls = 0;
  for (auto& [id, fake] : fakes)
    for (const auto& s : fake->started)
      if (s.at == t0 + 1s) {
        ++judge_calls;
        CHECK_THAT(s.request.messages.back().text(),
                   Catch::Contains("ANSWER <n>"));
      }
  CHECK(judge_calls == 1);
  advance(1s);
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(r.parallel);
  CHECK(r.attempts.size() == 3);
  // Simulated time: 1 s of parallel members + 1 s of judge, not 3 s + 1 s.
  CHECK(now() - t0 == 2s);
  // Three members and the judge each cost 1000.
  CHECK(r.cost_nanos == 4000);
}

TEST_CASE_METHOD(actor_fixture, "the judge's verdict picks the answer",
                 "[actors][ensemble]") {
  start();
  auto d = route(task("Audit production deployment for security vulnerabilities"));
  REQUIRE(d);
  REQUIRE(d->decision.parallel);
  auto second = d->decision.ensemble.members[1];
  auto judge_model = model(d->decision.ensemble.judge).id;
  for (auto& [id, fake] : fakes)
    fake->script = [judge_model](const engine::call_request& r, std::size_t) {
      auto x = fake_provider::answer(r);
      if (r.model == judge_model)
        x.text = "ANSWER 2\nIt is the most thorough.";
      return x;
    };
  auto p = execute(task("Audit production deployment for security vulnerabilities"));
  run();
  REQUIRE(*p.count == 1);
  REQUIRE((*p.slot)->ok());
  CHECK((*p.slot)->model == second);
  CHECK((*p.slot)->text == "answer from " + model(second).id);
}

TEST_CASE_METHOD(actor_fixture, "first_success answers with the first success "
                                "and cancels the rest",
                 "[actors][ensemble]") {
  start();
  auto t = task("Audit production deployment for security vulnerabilities");
  t.strategy = engine::consensus_strategy::first_success;
  auto d = route(t);
  REQUIRE(d);
  REQUIRE(d->decision.ensemble.members.size() == 3);
  auto fastest = d->decision.ensemble.members[2];
  for (auto& [id, fake] : fakes)
    fake->latency_for = [this, fastest](const engine::call_request& r) {
      return r.model == model(fastest).id ? std::chrono::steady_clock::duration{1s}
                                          : std::chrono::steady_clock::duration{5s};
    };
  auto p = execute(t);
  run();
  advance(1s);
  REQUIRE(*p.count == 1);
  REQUIRE((*p.slot)->ok());
  CHECK((*p.slot)->model == fastest);
  std::size_t cancelled = 0, in_flight = 0;
  for (auto& [id, fake] : fakes) {
    cancelled += fake->cancelled;
    in_flight += fake->in_flight();
  }
  CHECK(cancelled == 2);
  CHECK(in_flight == 0);
}

TEST_CASE_METHOD(actor_fixture, "critical tasks wait for approval when the "
                                "policy says so",
                 "[actors][approval]") {
  reg.policy.require_approval_for_critical = true;
  start();
  auto t = task("Audit production deployment for security vulnerabilities");
  auto p = execute(t);
  run();
  std::size_t started = 0;
  for (auto& [id, fake] : fakes)
    started += fake->started.size();
  CHECK(started == 0);
  auto pending = std::make_shared<std::vector<std::uint64_t>>();
  auto coordinator = graph.coordinator;
  sys.spawn([=](caf::event_based_actor* self, coordinator_actor c) {
    self->request(c, caf::infinite, pending_atom::value)
      .then([=](std::vector<std::uint64_t>& ids) { *pending = ids; });
  }, coordinator);
  run();
  REQUIRE(pending->size() == 1);
  auto id = pending->front();

  SECTION("approved: it runs") {
    auto found = std::make_shared<bool>(false);
    sys.spawn([=](caf::event_based_actor* self, coordinator_actor c) {
      self->request(c, caf::infinite, approve_atom::value, id, true)
        .then([=](bool ok) { *found = ok; });
    }, coordinator);
    run();
    CHECK(*found);
    REQUIRE(*p.count == 1);
    CHECK((*p.slot)->ok());
  }
  SECTION("rejected: a clear error") {
    sys.spawn([=](caf::event_based_actor* self, coordinator_actor c) {
      self->request(c, caf::infinite, approve_atom::value, id, false)
        .then([](bool) {});
    }, coordinator);
    run();
    REQUIRE(*p.count == 1);
    CHECK_THAT((*p.slot)->error_message, Catch::Contains("rejected"));
  }
  SECTION("unanswered: it times out") {
    advance(approval_timeout);
    REQUIRE(*p.count == 1);
    CHECK_THAT((*p.slot)->error_message, Catch::Contains("waited for approval"));
  }
}

TEST_CASE_METHOD(actor_fixture, "feedback changes later routing", "[actors][learning]") {
  start();
  // Sonnet answers code reviews, then users report the answers as failures.
  for (int i = 0; i < 40; ++i) {
    auto p = execute(task("Review this pull request diff for bugs"));
    run();
    REQUIRE(*p.count == 1);
    REQUIRE(model((*p.slot)->model).id == "claude-sonnet-4");
    engine::feedback_report bad;
    bad.outcome = engine::feedback_report::verdict::failure;
    caf::anon_send(graph.learning, feedback_atom::value,
                   feedback_message{(*p.slot)->decision_id, bad, {}});
  }
  run();
  advance(actors::learning_publish_delay);
  auto d = route(task("Review this pull request diff for bugs"));
  REQUIRE(d);
  CHECK(model(d->decision.model).id != "claude-sonnet-4");
}
