// The task lifecycle's rules (engine::task_flow), without CAF: each test
// plays the driver, reporting events and checking the step it gets back.

#include "routing_fixture.hpp"
#include "switchyard/engine/estimate.hpp"
#include "switchyard/engine/experiment.hpp"
#include "switchyard/engine/task_flow.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::engine;

namespace {

struct flow_fixture : test::routing_fixture {
  std::vector<experiment_spec> experiments;

  std::uint16_t local(std::size_t nth) const {
    for (std::uint16_t i = 0; i < reg.models.size(); ++i)
      if (reg.models[i].local && nth-- == 0)
        return i;
    FAIL("the default registry has too few local models");
    return 0;
  }

  /// A decision for `model` with `fallbacks`; `cost_max` as its worst case.
  decision chosen(std::uint16_t model, std::vector<std::uint16_t> fallbacks,
                  usd_nanos cost_max = 5'000) const {
    decision d;
    d.rule = selection_rule::smallest_capable;
    d.model = model;
    d.fallbacks = std::move(fallbacks);
    d.tokens.input = 100;
    d.tokens.output = 200;
    candidate c;
    c.model = model;
    c.cost.max = cost_max;
    d.candidates.push_back(c);
    return d;
  }

  task_step decide(task_flow& f, decision d, std::uint64_t id = 7) const {
    return f.decided(std::move(d), experiments, id, classifier);
  }

  /// Walks a fresh flow to its first call of `d`'s model.
  task_step to_call(task_flow& f, decision d) const {
    REQUIRE(f.start().action == task_action::classify);
    auto s = decide(f, std::move(d));
    REQUIRE(s.action == task_action::reserve);
    return f.budget_answer(true, 0, {});
  }

  /// Walks a fresh flow to its first call of `d`'s model and reports that
  /// call's end.
  task_step first_call_ends(task_flow& f, decision d, const attempt_record& a,
                            int http_status, std::string_view message,
                            bool streamed, bool abandoned) const {
    REQUIRE(to_call(f, std::move(d)).action == task_action::call);
    return f.call_finished(a, http_status, message, streamed, abandoned);
  }

  static attempt_record failed(std::uint16_t model, call_error e,
                               usd_nanos cost = 0) {
    return {model, e, 12.0, cost, 0};
  }
};

bool excluded(const task_flow& f, std::uint16_t m) {
  const auto& ex = f.context().exclude;
  return std::find(ex.begin(), ex.end(), m) != ex.end();
}

} // namespace

TEST_CASE_METHOD(flow_fixture,
                 "a task runs: classify, reserve the worst case, "
                 "call, succeed",
                 "[task_flow]") {
  auto a = index("gpt-4o-mini");
  task_flow f{reg, {}};
  CHECK(f.start().action == task_action::classify);
  auto s = decide(f, chosen(a, {}, 4'321));
  CHECK(s.action == task_action::reserve);
  CHECK(s.decision_taken);
  CHECK_FALSE(s.ensemble);
  CHECK(s.model == a);
  CHECK(s.amount == 4'321);
  s = f.budget_answer(true, 0, {});
  CHECK(s.action == task_action::call);
  CHECK(s.model == a);
  CHECK(s.max_tokens
        == max_tokens_within(reg.models[a], 100, 4'321,
                             reg.policy.max_tokens_per_task));
  s = f.call_finished({a, call_error::none, 50.0, 900, 0}, 200, {}, false,
                      false);
  CHECK(s.action == task_action::succeed);
  CHECK(s.model == a);
  CHECK(f.spent() == 900);
  CHECK(f.attempts().size() == 1);
}

TEST_CASE_METHOD(flow_fixture, "the caller's output cap bounds the call",
                 "[task_flow]") {
  auto a = index("gpt-4o-mini");
  task_flow f{reg, {true, false, 64, false, {}}};
  auto s = to_call(f, chosen(a, {}, 1'000'000'000));
  CHECK(s.max_tokens == 64);
}

TEST_CASE_METHOD(flow_fixture,
                 "a fallback without a candidate reserves the "
                 "registry's worst case",
                 "[task_flow]") {
  auto a = index("gpt-4o-mini");
  auto b = index("claude-haiku-4");
  task_flow f{reg, {}};
  auto d = chosen(a, {b});
  auto tokens = d.tokens;
  auto s = first_call_ends(f, std::move(d), failed(a, call_error::server_error),
                           500, "boom", false, false);
  CHECK(s.action == task_action::reserve);
  CHECK(s.model == b);
  CHECK(s.amount == estimate_cost(reg.models[b], tokens).max);
  CHECK(excluded(f, a));
}

TEST_CASE_METHOD(flow_fixture,
                 "a client error fails the task, a 404 falls "
                 "back",
                 "[task_flow]") {
  auto a = index("gpt-4o-mini");
  auto b = index("claude-haiku-4");
  SECTION("400") {
    task_flow f{reg, {}};
    auto s = first_call_ends(f, chosen(a, {b}),
                             failed(a, call_error::client_error), 400,
                             "bad field", false, false);
    CHECK(s.action == task_action::fail);
    CHECK(s.error == error_code::invalid_argument);
    CHECK(s.message == "bad field");
  }
  SECTION("404") {
    task_flow f{reg, {}};
    auto s = first_call_ends(f, chosen(a, {b}),
                             failed(a, call_error::client_error), 404,
                             "no such model", false, false);
    CHECK(s.action == task_action::reserve);
    CHECK(s.model == b);
  }
}

TEST_CASE_METHOD(flow_fixture,
                 "after enough local failures the chain skips "
                 "local models",
                 "[task_flow]") {
  auto l0 = local(0);
  auto l1 = local(1);
  auto cloud = index("gpt-4o-mini");
  reg.policy.escalate_after_local_failures = 1;
  SECTION("escalated") {
    task_flow f{reg, {}};
    auto s = first_call_ends(f, chosen(l0, {l1, cloud}),
                             failed(l0, call_error::connection), 0, "refused",
                             false, false);
    CHECK(f.context().local_failures == 1);
    CHECK(s.model == cloud);
  }
  SECTION("cloud fallback not allowed: the chain stays local") {
    reg.policy.allow_cloud_fallback = false;
    task_flow f{reg, {}};
    auto s = first_call_ends(f, chosen(l0, {l1, cloud}),
                             failed(l0, call_error::connection), 0, "refused",
                             false, false);
    CHECK(s.model == l1);
  }
  SECTION("below the threshold the next local model is tried") {
    reg.policy.escalate_after_local_failures = 2;
    task_flow f{reg, {}};
    auto s = first_call_ends(f, chosen(l0, {l1, cloud}),
                             failed(l0, call_error::connection), 0, "refused",
                             false, false);
    CHECK(s.model == l1);
  }
}

TEST_CASE_METHOD(flow_fixture,
                 "a run-out chain routes again, three rounds "
                 "at most, then names every model tried",
                 "[task_flow]") {
  auto a = index("gpt-4o-mini");
  auto b = index("claude-haiku-4");
  auto c = index("gpt-4o");
  task_flow f{reg, {}};
  auto s = first_call_ends(f, chosen(a, {}), failed(a, call_error::timeout), 0,
                           "slow", false, false);
  CHECK(s.action == task_action::score);
  CHECK(f.rounds() == 2);
  CHECK(excluded(f, a));
  s = decide(f, chosen(b, {}));
  CHECK(s.action == task_action::reserve);
  REQUIRE(f.budget_answer(true, 0, {}).action == task_action::call);
  s = f.call_finished(failed(b, call_error::server_error), 503, "down", false,
                      false);
  CHECK(s.action == task_action::score);
  CHECK(f.rounds() == 3);
  REQUIRE(decide(f, chosen(c, {})).action == task_action::reserve);
  REQUIRE(f.budget_answer(true, 0, {}).action == task_action::call);
  s = f.call_finished(failed(c, call_error::malformed), 200, "garbage", false,
                      false);
  CHECK(s.action == task_action::fail);
  CHECK(s.error == error_code::no_candidate);
  CHECK(s.message
        == "every model tried failed: gpt-4o-mini (timeout), claude-haiku-4 "
           "(server_error), gpt-4o (malformed)");
}

TEST_CASE_METHOD(flow_fixture,
                 "refused everywhere by this node's limits: "
                 "overloaded",
                 "[task_flow]") {
  auto a = index("gpt-4o-mini");
  task_flow f{reg, {true, true, {}, false, {}}};
  auto s = first_call_ends(f, chosen(a, {}), failed(a, call_error::overloaded),
                           0, "full", false, false);
  CHECK(s.action == task_action::fail);
  CHECK(s.error == error_code::overloaded);
}

TEST_CASE_METHOD(flow_fixture, "a forced model is not routed around",
                 "[task_flow]") {
  auto a = index("gpt-4o-mini");
  task_flow f{reg, {true, true, {}, false, {}}};
  auto s = first_call_ends(f, chosen(a, {}),
                           failed(a, call_error::server_error), 500, "x", false,
                           false);
  CHECK(s.action == task_action::fail);
  CHECK(s.error == error_code::no_candidate);
  CHECK(f.rounds() == 1);
}

TEST_CASE_METHOD(flow_fixture,
                 "after the first streamed byte nothing falls "
                 "back",
                 "[task_flow]") {
  auto a = index("gpt-4o-mini");
  auto b = index("claude-haiku-4");
  SECTION("a failure mid-stream fails the task") {
    task_flow f{reg, {}};
    auto s = first_call_ends(f, chosen(a, {b}),
                             failed(a, call_error::truncated), 200,
                             "stream ended early", true, false);
    CHECK(s.action == task_action::fail);
    CHECK(s.error == error_code::no_candidate);
    CHECK(s.message == "gpt-4o-mini failed mid-stream: stream ended early");
  }
  SECTION("a budget cut mid-stream ends the answer") {
    task_flow f{reg, {}};
    auto s = first_call_ends(f, chosen(a, {b}),
                             failed(a, call_error::budget_exceeded, 77), 200,
                             "cut", true, false);
    CHECK(s.action == task_action::succeed);
    CHECK(f.spent() == 77);
  }
  SECTION("a budget cut before any byte falls back") {
    task_flow f{reg, {}};
    auto s = first_call_ends(f, chosen(a, {b}),
                             failed(a, call_error::budget_exceeded), 200, "cut",
                             false, false);
    CHECK(s.action == task_action::reserve);
    CHECK(s.model == b);
  }
}

TEST_CASE_METHOD(flow_fixture, "a caller who walked away gets cancelled",
                 "[task_flow]") {
  auto a = index("gpt-4o-mini");
  auto b = index("claude-haiku-4");
  task_flow f{reg, {}};
  auto s = first_call_ends(f, chosen(a, {b}), failed(a, call_error::cancelled),
                           0, "aborted", false, true);
  CHECK(s.action == task_action::fail);
  CHECK(s.error == error_code::cancelled);
}

TEST_CASE_METHOD(flow_fixture,
                 "a refused reservation routes once more, then "
                 "fails naming the scope",
                 "[task_flow]") {
  auto a = index("gpt-4o");
  auto b = index("gpt-4o-mini");
  task_flow f{reg, {}};
  REQUIRE(f.start().action == task_action::classify);
  REQUIRE(decide(f, chosen(a, {})).action == task_action::reserve);
  auto s = f.budget_answer(false, 1'500'000, "daily");
  CHECK(s.action == task_action::score);
  REQUIRE(f.context().budget_remaining);
  CHECK(*f.context().budget_remaining == 1'500'000);
  s = decide(f, chosen(b, {}));
  CHECK(s.action == task_action::reserve);
  s = f.budget_answer(false, 1'500'000, "daily");
  CHECK(s.action == task_action::fail);
  CHECK(s.error == error_code::budget_exhausted);
  CHECK(s.message == "the daily budget cannot cover this task (left: $0.0015)");
}

TEST_CASE_METHOD(flow_fixture,
                 "an ensemble reserves its worst case and "
                 "answers with the winner",
                 "[task_flow]") {
  auto a = index("gpt-4o");
  auto b = index("claude-sonnet-4");
  auto d = chosen(a, {});
  d.parallel = true;
  d.ensemble.members = {a, b};
  d.ensemble.max_cost = 90'000;
  task_flow f{reg, {}};
  REQUIRE(f.start().action == task_action::classify);
  auto s = decide(f, d);
  CHECK(s.action == task_action::reserve);
  CHECK(s.ensemble);
  CHECK(s.amount == 90'000);
  s = f.budget_answer(true, 0, {});
  CHECK(s.action == task_action::run_ensemble);
  std::vector<attempt_record> members{{a, call_error::none, 10, 300, 0},
                                      {b, call_error::timeout, 30, 0, 0}};
  SECTION("a winner") {
    s = f.ensemble_finished(members, 300, true, a, {}, false);
    CHECK(s.action == task_action::succeed);
    CHECK(s.ensemble);
    CHECK(s.model == a);
    CHECK(f.attempts().size() == 2);
    CHECK(f.spent() == 300);
  }
  SECTION("no answer, the caller gone") {
    s = f.ensemble_finished(members, 300, false, 0, "all failed", true);
    CHECK(s.error == error_code::cancelled);
  }
  SECTION("no answer") {
    s = f.ensemble_finished(members, 300, false, 0, "all failed", false);
    CHECK(s.error == error_code::no_candidate);
    CHECK(s.message == "all failed");
  }
  SECTION("refused twice: the message names the ensemble") {
    task_flow g{reg, {}};
    REQUIRE(g.start().action == task_action::classify);
    decide(g, d);
    REQUIRE(g.budget_answer(false, 10, "global").action == task_action::score);
    REQUIRE(decide(g, d).action == task_action::reserve);
    s = g.budget_answer(false, 10, "global");
    CHECK(s.message.find("cannot cover the ensemble") != std::string::npos);
  }
}

TEST_CASE_METHOD(flow_fixture,
                 "a decision without a model maps its notes to "
                 "an error code",
                 "[task_flow]") {
  auto refused = [&](decision_note n) {
    decision d;
    if (n != decision_note{})
      d.add_note(n);
    task_flow f{reg, {}};
    REQUIRE(f.start().action == task_action::classify);
    auto s = decide(f, d);
    CHECK(s.action == task_action::fail);
    CHECK_FALSE(s.message.empty());
    return s.error;
  };
  CHECK(refused(decision_note::forced_unavailable)
        == error_code::model_unavailable);
  CHECK(refused(decision_note::forced_cannot_express)
        == error_code::invalid_argument);
  CHECK(refused(decision_note::no_local_model) == error_code::budget_exhausted);
  CHECK(refused(decision_note::budget_exhausted)
        == error_code::budget_exhausted);
  CHECK(refused(decision_note::unknown_forced_model)
        == error_code::unknown_model);
  CHECK(refused(decision_note{}) == error_code::no_candidate);
}

TEST_CASE_METHOD(flow_fixture,
                 "an A/B arm forcing another model routes "
                 "again without counting a round",
                 "[task_flow]") {
  auto a = index("gpt-4o-mini");
  auto b = index("claude-haiku-4");
  experiment_spec e;
  e.id = "haiku-vs-mini";
  e.type = task_type::general;
  e.arms.push_back({"haiku", "claude-haiku-4"});
  experiments.push_back(e);
  SECTION("another model") {
    task_flow f{reg, {}};
    REQUIRE(f.start().action == task_action::classify);
    auto s = decide(f, chosen(a, {}));
    CHECK(s.action == task_action::score);
    CHECK(s.arm_assigned);
    CHECK_FALSE(s.decision_taken);
    CHECK(f.rounds() == 1);
    CHECK(f.context().force_model == "claude-haiku-4");
    CHECK(f.experiment() == "haiku-vs-mini");
    s = decide(f, chosen(b, {}));
    CHECK(s.action == task_action::reserve);
    CHECK(s.decision_taken);
    CHECK_FALSE(s.arm_assigned); // assigned once
    REQUIRE(f.budget_answer(true, 0, {}).action == task_action::call);
    // The arm's model failed and has been observed: route freely now.
    s = f.call_finished(failed(b, call_error::server_error), 500, "x", false,
                        false);
    CHECK(s.action == task_action::score);
    CHECK(f.context().force_model.empty());
  }
  SECTION("the decision's own model") {
    task_flow f{reg, {}};
    REQUIRE(f.start().action == task_action::classify);
    auto s = decide(f, chosen(b, {}));
    CHECK(s.action == task_action::reserve);
    CHECK(s.arm_assigned);
    CHECK(s.decision_taken);
  }
  SECTION("the caller forced a model: no arm") {
    task_flow f{reg, {true, true, {}, false, {}}};
    REQUIRE(f.start().action == task_action::classify);
    auto s = decide(f, chosen(a, {}));
    CHECK(s.action == task_action::reserve);
    CHECK_FALSE(s.arm_assigned);
    CHECK(f.experiment().empty());
  }
}

TEST_CASE_METHOD(flow_fixture,
                 "a critical task waits for approval on its "
                 "first round",
                 "[task_flow]") {
  reg.policy.require_approval_for_critical = true;
  auto a = index("gpt-4o");
  auto d = chosen(a, {});
  d.cls.tier = complexity_tier::critical;
  task_flow f{reg, {}};
  REQUIRE(f.start().action == task_action::classify);
  auto s = decide(f, d);
  CHECK(s.action == task_action::await_approval);
  CHECK(s.decision_taken);
  CHECK(f.awaiting_approval());
  SECTION("approved") {
    auto next = f.approval(true);
    REQUIRE(next);
    CHECK(next->action == task_action::reserve);
    CHECK_FALSE(f.approval(true)); // answered once
  }
  SECTION("rejected") {
    auto next = f.approval(false);
    REQUIRE(next);
    CHECK(next->error == error_code::invalid_argument);
  }
  SECTION("timed out") {
    auto next = f.approval_timed_out(300'000);
    REQUIRE(next);
    CHECK(next->message
          == "the task waited for approval longer than 300000 ms");
    CHECK_FALSE(f.approval_timed_out(300'000));
  }
  SECTION("a later round does not ask again") {
    task_flow g{reg, {}};
    REQUIRE(g.start().action == task_action::classify);
    REQUIRE(decide(g, chosen(a, {})).action == task_action::reserve);
    REQUIRE(g.budget_answer(true, 0, {}).action == task_action::call);
    auto again = g.call_finished(failed(a, call_error::timeout), 0, "x", false,
                                 false);
    REQUIRE(again.action == task_action::score);
    CHECK(decide(g, d).action == task_action::reserve);
  }
}

TEST_CASE_METHOD(flow_fixture, "a route-only task answers with its decision",
                 "[task_flow]") {
  task_flow f{reg, {false, false, {}, false, {}}};
  REQUIRE(f.start().action == task_action::classify);
  auto s = decide(f, chosen(index("gpt-4o"), {}));
  CHECK(s.action == task_action::answer_route);
  CHECK(s.decision_taken);
}

TEST_CASE_METHOD(flow_fixture,
                 "the agent loop's model failing moves the "
                 "conversation on",
                 "[task_flow]") {
  auto a = index("gpt-4o");
  auto b = index("claude-sonnet-4");
  auto d = chosen(a, {b});
  d.rule = selection_rule::agent_loop;
  task_flow f{reg, {}};
  REQUIRE(to_call(f, d).action == task_action::call);
  CHECK(
    f.call_finished(failed(a, call_error::server_error), 500, "x", false, false)
      .model
    == b);
  CHECK(f.current().has_note(decision_note::agent_loop_moved));
}

TEST_CASE("outcomes that say nothing about a model do not feed learning",
          "[task_flow]") {
  CHECK(informs_learning(call_error::none));
  CHECK(informs_learning(call_error::timeout));
  CHECK(informs_learning(call_error::client_error));
  CHECK_FALSE(informs_learning(call_error::cancelled));
  CHECK_FALSE(informs_learning(call_error::breaker_open));
  CHECK_FALSE(informs_learning(call_error::overloaded));
}

TEST_CASE_METHOD(flow_fixture, "a silent peer fails the task", "[task_flow]") {
  task_flow f{reg, {}};
  CHECK(f.peer_failed(true, "the ledger did not answer").error
        == error_code::budget_exhausted);
  CHECK(f.peer_failed(false, "the scorer did not answer").error
        == error_code::no_candidate);
}
