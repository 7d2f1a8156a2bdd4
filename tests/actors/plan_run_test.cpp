// Plans on simulated time (DESIGN.md "Execution plans"): each step is a
// routed call of its own; the chain runs in order, specialists in
// parallel under a hedging deadline, quality escalation re-runs a weak
// answer, and a budget shortens a plan.
#include "actor_fixture.hpp"

#include <algorithm>
#include <string>
#include <vector>

using namespace switchyard;
using namespace switchyard::test;
using namespace std::chrono_literals;
using engine::plan_kind;

namespace {

constexpr const char* review = "Review this pull request diff for bugs";

/// The step a call serves, read from its instructions.
std::string role_of(const engine::call_request& r) {
  std::string all;
  for (const auto& m : r.messages)
    if (m.is_instruction())
      all += m.text();
  auto has = [&](std::string_view s) {
    return all.find(s) != std::string::npos;
  };
  if (has("You are a planner"))
    return "planner";
  if (has("following this plan"))
    return "executor";
  if (has("Specialists have worked"))
    return "synthesis";
  if (has("You rate answers"))
    return "rating";
  for (auto role : {"research", "implementation", "review", "analysis"})
    if (has(std::string{"You are the "} + role + " specialist"))
      return role;
  return "answer";
}

task_spec planned(plan_kind kind, const char* text = review) {
  auto t = actor_fixture::task(text);
  t.plan = kind;
  return t;
}

std::vector<std::string> roles_of(const task_reply& r) {
  std::vector<std::string> out;
  for (const auto& s : r.steps)
    out.push_back(s.role);
  return out;
}

struct plan_fixture : actor_fixture {
  /// Every call takes `latency(role)` of simulated time.
  void latency_by_role(
    std::function<std::chrono::steady_clock::duration(const std::string&)>
      latency) {
    for (auto& [id, fake] : fakes)
      fake->latency_for = [latency](const engine::call_request& r) {
        return latency(role_of(r));
      };
  }

  /// Every call started so far with its role and start time, in order.
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>>
  calls() {
    std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>>
      out;
    for (auto& [id, fake] : fakes)
      for (const auto& s : fake->started)
        out.emplace_back(role_of(s.request), s.at);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    return out;
  }

  const engine::call_request* call_of(std::string_view role) {
    for (auto& [id, fake] : fakes)
      for (const auto& s : fake->started)
        if (role_of(s.request) == role)
          return &s.request;
    return nullptr;
  }
};

} // namespace

TEST_CASE_METHOD(plan_fixture, "a chain plans first, then executes the plan",
                 "[actors][plan]") {
  start();
  latency_by_role([](const std::string&) { return 1s; });
  auto t0 = now();
  auto p = execute(planned(plan_kind::chain));
  run();
  advance(1s);
  CHECK(*p.count == 0);
  advance(1s);
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(r.plan == plan_kind::chain);
  CHECK(roles_of(r) == std::vector<std::string>{"planner", "executor"});
  auto c = calls();
  REQUIRE(c.size() == 2);
  CHECK(c[0].first == "planner");
  CHECK(c[0].second == t0);
  CHECK(c[1].first == "executor");
  CHECK(c[1].second == t0 + 1s);
  // The executor reads the planner's answer; the answer is the executor's.
  const auto* planner = call_of("planner");
  const auto* executor = call_of("executor");
  REQUIRE(planner != nullptr);
  REQUIRE(executor != nullptr);
  CHECK(executor->messages.front().text().find("answer from " + planner->model)
        != std::string::npos);
  CHECK(r.text == "answer from " + executor->model);
  CHECK(r.cost_nanos == 2'000);
  CHECK(r.steps[1].final);
  CHECK(r.steps[1].started_ms == Approx(1000.0));
}

TEST_CASE_METHOD(plan_fixture,
                 "specialists run in parallel: the task takes the slowest "
                 "role plus the synthesis",
                 "[actors][plan]") {
  start();
  latency_by_role([](const std::string& role) {
    return role == "implementation" ? 3s : role == "review" ? 2s : 1s;
  });
  auto t0 = now();
  auto p = execute(planned(plan_kind::specialists));
  run();
  // The clock moves in steps no longer than the calls it waits for.
  advance(1s);
  advance(1s);
  advance(1s);
  advance(999ms);
  CHECK(*p.count == 0);
  advance(1ms);
  REQUIRE(*p.count == 1);
  CHECK(now() - t0 == 4s); // 3 s + 1 s, not 1 + 3 + 2 + 1
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(r.plan == plan_kind::specialists);
  CHECK(roles_of(r)
        == std::vector<std::string>{"research", "implementation", "review",
                                    "synthesis"});
  for (const auto& [role, at] : calls())
    CHECK(at == (role == "synthesis" ? t0 + 3s : t0));
  // The synthesis merges every note.
  const auto* synthesis = call_of("synthesis");
  REQUIRE(synthesis != nullptr);
  auto instructions = synthesis->messages.front().text();
  CHECK(instructions.find("## research") != std::string::npos);
  CHECK(instructions.find("## review") != std::string::npos);
}

TEST_CASE_METHOD(plan_fixture,
                 "a hung specialist is cut at the deadline: the task ends at "
                 "the deadline plus the synthesis",
                 "[actors][plan][hedging]") {
  // The member timeout is the smaller bound here.
  reg.policy.ensemble_member_timeout_s = 2.5;
  reg.policy.hedge_latency_factor = 100.0;
  start();
  latency_by_role([](const std::string& role) {
    return role == "review" ? std::chrono::steady_clock::duration{1h}
           : role == "implementation" ? 2s
                                      : 1s;
  });
  auto t0 = now();
  auto p = execute(planned(plan_kind::specialists));
  run();
  advance(1s);
  advance(1s);
  advance(500ms); // the deadline: the review is cut, the synthesis starts
  advance(999ms);
  CHECK(*p.count == 0);
  advance(1ms);
  REQUIRE(*p.count == 1);
  CHECK(now() - t0 == 3500ms);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  REQUIRE(r.steps.size() == 4);
  CHECK(r.steps[2].role == "review");
  CHECK_FALSE(r.steps[2].ok);
  CHECK(r.steps[2].note.find("deadline") != std::string::npos);
  CHECK(r.steps[3].role == "synthesis");
  CHECK(r.steps[3].started_ms == Approx(2500.0));
  std::size_t cancelled = 0;
  for (auto& [id, fake] : fakes)
    cancelled += fake->cancelled;
  CHECK(cancelled == 1);
  for (auto& [id, fake] : fakes)
    CHECK(fake->in_flight() == 0);
}

TEST_CASE_METHOD(plan_fixture,
                 "quality escalation re-runs a weak answer on a stronger "
                 "model, and leaves a good one",
                 "[actors][plan][escalation]") {
  reg.plans.escalate_below_quality = 0.6;
  std::string verdict;
  on_fake = [&verdict](const std::string&, fake_provider& f) {
    f.script = [&verdict](const engine::call_request& r, std::size_t) {
      auto out = fake_provider::answer(r);
      if (role_of(r) == "rating")
        out.text = verdict;
      return out;
    };
  };
  start();
  auto t = task("What is the capital of France?");
  t.plan.reset();

  SECTION("below the threshold") {
    verdict = "SCORE: 3\nwrong city";
    auto p = execute(t);
    run();
    REQUIRE(*p.count == 1);
    const auto& r = **p.slot;
    REQUIRE(r.ok());
    CHECK(r.plan == plan_kind::single);
    REQUIRE(roles_of(r)
            == std::vector<std::string>{"answer", "judge", "escalation"});
    CHECK(r.steps[1].score == Approx(0.3));
    CHECK(r.steps[1].route_as == engine::complexity_tier::simple);
    CHECK(r.model == r.steps[2].model);
    CHECK(r.steps[2].model != r.steps[0].model);
    const auto* first = r.decision.find_candidate(r.steps[0].model);
    const auto* stronger = r.decision.find_candidate(r.steps[2].model);
    if (first != nullptr && stronger != nullptr)
      CHECK(stronger->predicted_quality > first->predicted_quality);
    CHECK(r.text == "answer from " + model(r.model).id);
  }
  SECTION("at or above it") {
    verdict = "SCORE: 9";
    auto p = execute(t);
    run();
    REQUIRE(*p.count == 1);
    const auto& r = **p.slot;
    REQUIRE(r.ok());
    CHECK(roles_of(r) == std::vector<std::string>{"answer", "judge"});
    CHECK(r.steps[1].score == Approx(0.9));
    CHECK(r.model == r.steps[0].model);
  }
}

TEST_CASE_METHOD(plan_fixture, "a budget that covers part of a plan shortens it",
                 "[actors][plan][budget]") {
  reg.policy.max_cost_per_task_usd = 10.0;
  start();
  // The plan's worst cases, as a route-only request reports them.
  auto routed = route_or_error(planned(plan_kind::critic));
  REQUIRE(routed.ok());
  REQUIRE(routed.plan == plan_kind::critic);
  engine::usd_nanos without_critic = 0;
  engine::usd_nanos critic = 0;
  for (const auto& s : routed.steps) {
    CHECK(s.has_model);
    if (s.role == "critic")
      critic = s.worst_cost_nanos;
    else
      without_critic += s.worst_cost_nanos;
  }
  REQUIRE(critic > 0);
  auto t = planned(plan_kind::critic);
  t.budget_usd = engine::nanos_to_usd(without_critic + critic / 2);
  auto p = execute(t);
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(r.plan == plan_kind::specialists);
  auto roles = roles_of(r);
  CHECK(std::find(roles.begin(), roles.end(), "critic") == roles.end());
  CHECK(r.cost_nanos <= without_critic + critic / 2);
}

TEST_CASE_METHOD(plan_fixture, "a streamed chain streams its last step",
                 "[actors][plan][stream]") {
  start();
  for (auto& [id, fake] : fakes)
    fake->chunks = [](const engine::call_request& r, std::size_t) {
      std::vector<fake_provider::scripted_chunk> out;
      out.push_back({"streamed by " + role_of(r), std::nullopt});
      return out;
    };
  std::vector<std::string> deltas;
  std::vector<std::uint64_t> ids;
  std::vector<plan_kind> kinds;
  auto p = execute(planned(plan_kind::chain), [&](const stream_event& ev) {
    deltas.emplace_back(ev.chunk.delta);
    ids.push_back(ev.decision_id);
    kinds.push_back(ev.plan);
  });
  run();
  REQUIRE(*p.count == 1);
  const auto& r = **p.slot;
  REQUIRE(r.ok());
  CHECK(deltas == std::vector<std::string>{"streamed by executor"});
  REQUIRE(ids.size() == 1);
  CHECK(ids[0] == r.decision_id);
  CHECK(kinds[0] == plan_kind::chain);
}

TEST_CASE_METHOD(plan_fixture,
                 "a route-only plan routes every step, and the tier picks the "
                 "plan unless the caller does",
                 "[actors][plan]") {
  start();
  auto r = route_or_error(planned(plan_kind::specialists));
  REQUIRE(r.ok());
  CHECK(r.plan == plan_kind::specialists);
  REQUIRE(r.steps.size() == 4);
  for (const auto& s : r.steps) {
    CHECK(s.has_model);
    CHECK_FALSE(s.ran);
  }
  auto t = task(review);
  t.plan.reset();
  auto by_tier = route_or_error(t);
  REQUIRE(by_tier.ok());
  engine::plan_request req;
  req.tier = by_tier.decision.cls.tier;
  CHECK(by_tier.plan == engine::plan_kind_for(req));
  // An agent's turn (tools offered) runs single.
  engine::tool_definition tool;
  tool.name = "search";
  tool.parameters = R"({"type":"object"})";
  t.options.tools.push_back(tool);
  auto agent = route_or_error(t);
  REQUIRE(agent.ok());
  CHECK(agent.plan == plan_kind::single);
  CHECK(agent.steps.empty());
}
