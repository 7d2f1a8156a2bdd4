// A provider's admission limits (max_concurrency in flight, max_queued
// waiting) and a task's cancellation, through the real coordinator and
// executor on simulated time.

#include "actor_fixture.hpp"

#include "switchyard/engine/cancel_token.hpp"

using namespace switchyard;
using namespace switchyard::test;
using namespace std::chrono_literals;
using engine::call_error;

namespace {

struct admission_fixture : actor_fixture {
  /// openai admits one call and queues `queued`; its calls take an hour
  /// unless a test says otherwise. gpt-4o is the only model enabled, so a
  /// task has no fallback. A global budget makes every call reserve.
  void start_with(std::uint32_t queued) {
    auto& openai = reg.providers[*reg.provider_index("openai")];
    openai.max_concurrency = 1;
    openai.max_queued = queued;
    for (auto& m : reg.models)
      m.enabled = m.id == "gpt-4o";
    budgets.global_usd = 100.0;
    start();
    fake("openai").latency_default = 1h;
  }

  /// A task forced onto gpt-4o, abandoned through `token`.
  static task_spec forced(std::shared_ptr<engine::cancel_token> token = {}) {
    auto t = task("Summarise this paragraph");
    t.force_model = "gpt-4o";
    t.cancel = std::move(token);
    return t;
  }

  ledger_summary ledger_now() {
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
  }
};

call_error only_attempt(const actor_fixture::pending_reply& p) {
  REQUIRE(*p.count == 1);
  REQUIRE((*p.slot)->attempts.size() == 1);
  return (*p.slot)->attempts[0].error;
}

} // namespace

TEST_CASE_METHOD(admission_fixture,
                 "past max_concurrency calls wait, past max_queued they are "
                 "refused at once",
                 "[actors][executor][admission]") {
  start_with(1);
  fake("openai").latency_default = 60s;
  auto first = execute(forced());
  auto second = execute(forced());
  auto third = execute(forced());
  run();
  CHECK(fake("openai").started.size() == 1);
  CHECK(*first.count == 0);
  CHECK(*second.count == 0);
  // Refused without waiting, and without a word to the upstream.
  CHECK(only_attempt(third) == call_error::overloaded);
  // Every attempt refused this way: the task is overloaded (429), not
  // without a candidate.
  CHECK((*third.slot)->error == error_code::overloaded);
  // The slot frees: the queued call goes out.
  advance(60s);
  REQUIRE(*first.count == 1);
  CHECK((*first.slot)->ok());
  CHECK(*second.count == 0);
  CHECK(fake("openai").started.size() == 2);
  advance(60s);
  REQUIRE(*second.count == 1);
  CHECK((*second.slot)->ok());
  CHECK(fake("openai").started.size() == 2);
  CHECK(ledger_now().global.reserved_nanos == 0);
}

TEST_CASE_METHOD(admission_fixture,
                 "a call that waits its whole total timeout for a slot is "
                 "refused",
                 "[actors][executor][admission]") {
  start_with(8);
  auto first = execute(forced());
  auto second = execute(forced());
  auto third = execute(forced());
  run();
  REQUIRE(fake("openai").started.size() == 1);
  // The default total timeout is 120 s: the running call's, counted from
  // its start, and each waiting call's, counted from its arrival.
  advance(119s);
  CHECK(*second.count == 0);
  CHECK(*third.count == 0);
  advance(1s);
  // The first timed out (its retry waits its backoff) and freed the slot
  // for the second; the third has waited 120 s and is refused.
  CHECK(fake("openai").started.size() == 2);
  CHECK(*second.count == 0);
  CHECK(only_attempt(third) == call_error::overloaded);
  CHECK(*first.count == 0);
}

TEST_CASE_METHOD(admission_fixture,
                 "a full provider falls back to another capable model before "
                 "anyone is refused",
                 "[actors][executor][admission]") {
  // Where the router sends this task when every provider has room.
  start();
  auto t = task("Summarise this paragraph");
  auto probed = route(t);
  REQUIRE(probed);
  REQUIRE_FALSE(probed->decision.fallbacks.empty());
  auto primary = probed->decision.model;
  auto provider = model(primary).provider;
  stop_graph();
  // That provider admits one call and queues none; one call holds it.
  auto& full = reg.providers[*reg.provider_index(provider)];
  full.max_concurrency = 1;
  full.max_queued = 0;
  start();
  fake(provider).latency_default = 1h;
  auto hold = task("Summarise this paragraph");
  hold.force_model = model(primary).id;
  auto busy = execute(hold);
  run();
  REQUIRE(fake(provider).started.size() == 1);

  auto p = execute(t);
  run();
  REQUIRE(*p.count == 1);
  REQUIRE((*p.slot)->ok());
  const auto& attempts = (*p.slot)->attempts;
  REQUIRE(attempts.size() >= 2);
  CHECK(attempts[0].model == primary);
  CHECK(attempts[0].error == call_error::overloaded);
  CHECK(model((*p.slot)->model).provider != provider);
  for (const auto& a : attempts)
    if (model(a.model).provider == provider)
      CHECK(a.error == call_error::overloaded);
  CHECK(fake(provider).started.size() == 1);
  CHECK(*busy.count == 0);
}

TEST_CASE_METHOD(admission_fixture,
                 "cancelling a task drops its queued call and aborts its call "
                 "in flight, and its reservation is released",
                 "[actors][executor][cancel]") {
  start_with(4);
  auto running_token = std::make_shared<engine::cancel_token>();
  auto waiting_token = std::make_shared<engine::cancel_token>();
  auto running = execute(forced(running_token));
  auto waiting = execute(forced(waiting_token));
  run();
  REQUIRE(fake("openai").started.size() == 1);
  CHECK(ledger_now().global.reserved_nanos > 0);

  waiting_token->cancel();
  run();
  CHECK(only_attempt(waiting) == call_error::cancelled);
  // It never went out, so it cost nothing.
  CHECK((*waiting.slot)->cost_nanos == 0);
  CHECK(fake("openai").started.size() == 1);
  CHECK(*running.count == 0);

  running_token->cancel();
  run();
  CHECK(fake("openai").cancelled == 1);
  CHECK(only_attempt(running) == call_error::cancelled);
  // The upstream had read the prompt: that much is paid for, no more.
  auto cost = (*running.slot)->cost_nanos;
  CHECK(cost > 0);
  auto ledger = ledger_now();
  CHECK(ledger.global.reserved_nanos == 0);
  CHECK(ledger.open_reservations == 0);
  CHECK(ledger.global.spent_nanos == cost);

  // The slot is free again, and a task abandoned before it starts never
  // reaches the upstream.
  fake("openai").latency_default = 0s;
  auto next = execute(forced());
  auto gone = std::make_shared<engine::cancel_token>();
  gone->cancel();
  auto never = execute(forced(gone));
  run();
  REQUIRE(*next.count == 1);
  CHECK((*next.slot)->ok());
  CHECK(only_attempt(never) == call_error::cancelled);
  CHECK(fake("openai").started.size() == 2);
}
