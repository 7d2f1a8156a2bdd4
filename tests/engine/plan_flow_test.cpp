// A plan's steps as a pure state machine (engine::plan_flow), its prompts
// and the critic's score, without CAF: each test plays the driver.

#include "routing_fixture.hpp"
#include "switchyard/engine/ensemble_deadline.hpp"
#include "switchyard/engine/plan_flow.hpp"
#include "switchyard/engine/plan_prompts.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace switchyard;
using namespace switchyard::engine;

namespace {

struct plan_fixture : test::routing_fixture {
  /// A complex code task's own decision over the default registry.
  decision task() const {
    route_request req;
    req.text = "Implement a lock-free queue in C++ and explain its memory "
               "ordering";
    req.type = task_type::code_generation;
    req.tier = complexity_tier::complex;
    auto d = route(req);
    REQUIRE(d.has_model());
    return d;
  }

  execution_plan plan(plan_kind kind, std::uint32_t revisions = 1) const {
    plan_request r;
    r.tier = complexity_tier::complex;
    r.type = task_type::code_generation;
    r.requested = kind;
    r.max_revisions = revisions;
    return build_plan(r);
  }

  static step_result ok(std::uint16_t model, std::string text,
                        usd_nanos cost = 1'000) {
    step_result r;
    r.ok = true;
    r.has_model = true;
    r.model = model;
    r.text = std::move(text);
    r.cost_nanos = cost;
    return r;
  }

  static step_result failed(std::string message) {
    step_result r;
    r.error = error_code::model_unavailable;
    r.message = std::move(message);
    return r;
  }

  static constexpr usd_nanos plenty = 10'000'000'000; // 10 USD
};

} // namespace

TEST_CASE_METHOD(plan_fixture, "a chain plans first, then executes the plan",
                 "[plan]") {
  auto d = task();
  plan_flow f{reg, plan(plan_kind::chain), d, "the task", {plenty, false}};
  auto n = f.start();
  REQUIRE(n.action == plan_action::launch);
  REQUIRE(n.launches.size() == 1);
  CHECK(f.outcomes()[0].role == "planner");
  CHECK_FALSE(n.launches[0].final);
  CHECK(n.launches[0].route_as == complexity_tier::simple);
  CHECK(n.launches[0].input == "the task");
  CHECK(n.launches[0].max_output_tokens == plan_flow::note_tokens);

  n = f.finished(0, ok(d.model, "1. think\n2. write"));
  REQUIRE(n.action == plan_action::launch);
  REQUIRE(n.launches.size() == 1);
  CHECK(n.launches[0].step == 1);
  CHECK(n.launches[0].final);
  CHECK(n.launches[0].instruction.find("1. think\n2. write")
        != std::string::npos);

  n = f.finished(1, ok(d.model, "the answer"));
  CHECK(n.action == plan_action::succeed);
  CHECK(n.answer_step == 1);
  CHECK(f.spent() == 2'000);
  CHECK(f.outcomes()[1].ok);
}

TEST_CASE_METHOD(plan_fixture, "a failed planner fails the chain", "[plan]") {
  auto d = task();
  plan_flow f{reg, plan(plan_kind::chain), d, "the task", {plenty, false}};
  (void)f.start();
  auto n = f.finished(0, failed("every model failed"));
  CHECK(n.action == plan_action::fail);
  CHECK(n.message.find("planner") != std::string::npos);
  CHECK(n.message.find("every model failed") != std::string::npos);
}

TEST_CASE_METHOD(plan_fixture,
                 "specialists start together on distinct providers, and the "
                 "synthesis reads every note",
                 "[plan]") {
  auto d = task();
  plan_flow f{reg, plan(plan_kind::specialists), d, "the task",
              {plenty, false}};
  auto n = f.start();
  REQUIRE(n.action == plan_action::launch);
  REQUIRE(n.launches.size() == 3);
  // The first specialist routes freely; the others leave out the providers
  // before theirs, so the router spreads them where candidates allow.
  CHECK(n.launches[0].avoid.empty());
  std::set<std::uint16_t> first_provider_models;
  for (auto m : n.launches[1].avoid)
    first_provider_models.insert(reg.models[m].provider_index);
  CHECK(first_provider_models.count(reg.models[d.model].provider_index) == 1);
  CHECK(n.launches[2].avoid.size() > n.launches[1].avoid.size());
  for (const auto& l : n.launches) {
    CHECK_FALSE(l.final);
    CHECK_FALSE(l.instruction.empty());
    CHECK(l.budget >= f.outcomes()[l.step].worst_cost_nanos);
  }

  CHECK(f.finished(0, ok(d.model, "facts")).action == plan_action::wait);
  CHECK(f.finished(2, failed("timed out")).action == plan_action::wait);
  n = f.finished(1, ok(d.model, "code"));
  REQUIRE(n.action == plan_action::launch);
  REQUIRE(n.launches.size() == 1);
  auto synthesis = n.launches[0];
  CHECK(f.outcomes()[synthesis.step].role == "synthesis");
  CHECK(synthesis.final);
  CHECK(synthesis.instruction.find("facts") != std::string::npos);
  CHECK(synthesis.instruction.find("code") != std::string::npos);
  CHECK(f.outcomes()[2].note == "timed out");

  n = f.finished(synthesis.step, ok(d.model, "merged"));
  CHECK(n.action == plan_action::succeed);
  CHECK(n.answer_step == synthesis.step);
}

TEST_CASE_METHOD(plan_fixture, "every specialist failing fails the plan",
                 "[plan]") {
  auto d = task();
  plan_flow f{reg, plan(plan_kind::specialists), d, "t", {plenty, false}};
  (void)f.start();
  (void)f.finished(0, failed("a"));
  (void)f.finished(1, failed("b"));
  auto n = f.finished(2, failed("c"));
  CHECK(n.action == plan_action::fail);
  CHECK(n.message.find("every specialist failed") != std::string::npos);
}

TEST_CASE_METHOD(plan_fixture,
                 "a critic below the threshold asks for a revision, at most "
                 "max_revisions times",
                 "[plan]") {
  auto d = task();
  reg.plans.critic_threshold = 0.7;
  plan_flow f{reg, plan(plan_kind::critic, 1), d, "t", {plenty, false}};
  auto n = f.start();
  for (const auto& l : n.launches)
    (void)f.finished(l.step, ok(d.model, "note"));
  // The specialists are steps 0..2; the synthesis 3, the critic 4.
  n = f.finished(3, ok(d.model, "first answer"));
  REQUIRE(n.action == plan_action::launch);
  CHECK(f.outcomes()[n.launches[0].step].role == "critic");
  CHECK(n.launches[0].input.find("first answer") != std::string::npos);

  n = f.finished(4, ok(d.model, "SCORE: 4\nmissing the ABA problem"));
  REQUIRE(n.action == plan_action::launch);
  auto revision = n.launches[0].step;
  CHECK(f.outcomes()[revision].role == "synthesis");
  CHECK(f.outcomes()[revision].revision == 1);
  CHECK(n.launches[0].instruction.find("missing the ABA problem")
        != std::string::npos);
  CHECK(f.outcomes()[4].score == Approx(0.4));

  n = f.finished(revision, ok(d.model, "second answer"));
  REQUIRE(n.action == plan_action::launch);
  auto critic = n.launches[0].step;
  // Still below the threshold, but the one revision is spent.
  n = f.finished(critic, ok(d.model, "SCORE: 5/10"));
  CHECK(n.action == plan_action::succeed);
  CHECK(n.answer_step == revision);
}

TEST_CASE_METHOD(plan_fixture, "a critic at the threshold lets the answer stand",
                 "[plan]") {
  auto d = task();
  reg.plans.critic_threshold = 0.7;
  plan_flow f{reg, plan(plan_kind::critic, 3), d, "t", {plenty, false}};
  auto n = f.start();
  for (const auto& l : n.launches)
    (void)f.finished(l.step, ok(d.model, "note"));
  (void)f.finished(3, ok(d.model, "answer"));
  n = f.finished(4, ok(d.model, "Score: 8"));
  CHECK(n.action == plan_action::succeed);
  CHECK(n.answer_step == 3);

  SECTION("a critic without a score leaves it standing too") {
    plan_flow g{reg, plan(plan_kind::critic, 3), d, "t", {plenty, false}};
    auto m = g.start();
    for (const auto& l : m.launches)
      (void)g.finished(l.step, ok(d.model, "note"));
    (void)g.finished(3, ok(d.model, "answer"));
    m = g.finished(4, ok(d.model, "looks fine"));
    CHECK(m.action == plan_action::succeed);
    CHECK(g.outcomes()[4].note.find("no score") != std::string::npos);
  }
}

TEST_CASE_METHOD(plan_fixture, "a budget that covers part of a plan shortens it",
                 "[plan]") {
  auto d = task();
  auto full = plan(plan_kind::critic, 1);
  auto worst = step_worst_costs(reg, d, full);
  REQUIRE(worst.size() == 5);
  usd_nanos everything = 0;
  for (auto w : worst)
    everything += w;
  REQUIRE(everything > 0);

  SECTION("without the critic") {
    // Less than every step once: the revision and the critic go first.
    plan_flow f{reg, full, d, "t", {everything - 1, false}};
    auto n = f.start();
    REQUIRE(n.action == plan_action::launch);
    CHECK(f.kind() == plan_kind::specialists);
    CHECK(f.dropped() == std::vector<std::string>{"revision", "critic"});
  }
  SECTION("down to one call when no specialist form fits") {
    auto one = step_worst_costs(reg, d, plan(plan_kind::single));
    REQUIRE(one[0] < worst[0] + worst[3]);
    plan_flow f{reg, full, d, "t", {one[0], false}};
    auto n = f.start();
    REQUIRE(n.action == plan_action::launch);
    CHECK(f.kind() == plan_kind::single);
    CHECK(f.dropped()
          == std::vector<std::string>{"research", "implementation", "review",
                                      "synthesis", "critic"});
    REQUIRE(n.launches.size() == 1);
    CHECK(n.launches[0].final);
  }
  SECTION("not even one call") {
    plan_flow f{reg, full, d, "t", {1, false}};
    auto n = f.start();
    CHECK(n.action == plan_action::fail);
    CHECK(n.error == error_code::budget_exhausted);
    CHECK(n.message.find("cannot cover") != std::string::npos);
  }
}

TEST_CASE_METHOD(plan_fixture,
                 "quality escalation re-runs a low-rated answer on the next "
                 "stronger model, not a well-rated one",
                 "[plan]") {
  auto d = task();
  reg.plans.escalate_below_quality = 0.6;
  // The weakest candidate answered.
  auto answered = d.candidates.front().model;
  for (const auto& c : d.candidates)
    if (c.predicted_quality < d.find_candidate(answered)->predicted_quality)
      answered = c.model;
  auto stronger = next_stronger_model(d, answered);
  REQUIRE(stronger);
  CHECK(d.find_candidate(*stronger)->predicted_quality
        > d.find_candidate(answered)->predicted_quality);

  plan_flow f{reg, plan(plan_kind::single), d, "t", {plenty, true}};
  auto n = f.start();
  REQUIRE(n.launches.size() == 1);
  CHECK(n.launches[0].final);
  auto first = ok(answered, "a weak answer");
  first.routed = &d;
  n = f.finished(0, first);
  REQUIRE(n.action == plan_action::launch);
  auto judge = n.launches[0].step;
  CHECK(f.outcomes()[judge].role == "judge");
  CHECK(n.launches[0].route_as == complexity_tier::simple);

  SECTION("below the threshold") {
    n = f.finished(judge, ok(answered, "SCORE: 3"));
    REQUIRE(n.action == plan_action::launch);
    CHECK(n.launches[0].force_model == stronger);
    CHECK(n.launches[0].final);
    auto again = n.launches[0].step;
    CHECK(f.outcomes()[again].role == "escalation");
    n = f.finished(again, ok(*stronger, "a better answer"));
    CHECK(n.action == plan_action::succeed);
    CHECK(n.answer_step == again);
  }
  SECTION("above it") {
    n = f.finished(judge, ok(answered, "SCORE: 9"));
    CHECK(n.action == plan_action::succeed);
    CHECK(n.answer_step == 0);
    CHECK(f.outcomes()[judge].score == Approx(0.9));
  }
}

TEST_CASE_METHOD(plan_fixture,
                 "a step of a plan is never an ensemble, even a critical "
                 "one",
                 "[plan][ensemble]") {
  route_request req;
  req.text = "Audit production deployment for security vulnerabilities";
  req.tier = complexity_tier::critical;
  auto alone = route(req);
  REQUIRE(alone.parallel);
  req.plan_step = true;
  auto step = route(req);
  REQUIRE(step.has_model());
  CHECK_FALSE(step.parallel);
  CHECK(step.rule != selection_rule::ensemble);
  CHECK(step.ensemble.members.empty());
  // Asked for, too: a plan's step reads no `parallel`.
  req.parallel = true;
  CHECK_FALSE(route(req).parallel);
}

TEST_CASE_METHOD(plan_fixture,
                 "the specialists' deadline reads what the likely models "
                 "learned to take, not only the registry's estimate",
                 "[plan][hedging]") {
  auto d = task();
  plan_flow blind{reg, plan(plan_kind::specialists), d, "t", {plenty, false}};
  auto n = blind.start();
  REQUIRE(n.launches.size() == 3);
  double slowest = 0;
  for (const auto& c : d.candidates)
    slowest = std::max(slowest, c.expected_latency_s);
  REQUIRE(slowest > 0);
  CHECK(n.deadline_ms <= hedge_deadline_ms(reg.policy, slowest));
  CHECK(n.deadline_ms > 0);

  // Every capable model learned to take 3 s on this task type.
  reg.policy.hedge_latency_factor = 2.0;
  reg.policy.ensemble_member_timeout_s = 60.0;
  performance_table table;
  table.resize(reg.models.size());
  for (std::uint16_t m = 0; m < reg.models.size(); ++m) {
    auto& cell = table.at(m, task_type::code_generation);
    cell.latency_ms = 3'000;
    cell.samples = 10;
  }
  state.performance = &table;
  auto learned = task();
  for (const auto& c : learned.candidates)
    CHECK(c.expected_latency_s == Approx(3.0));
  plan_flow f{reg, plan(plan_kind::specialists), learned, "t",
              {plenty, false}};
  CHECK(f.start().deadline_ms == 6'000);
}

TEST_CASE("a rating's score reads in its usual spellings", "[plan]") {
  CHECK(parse_rating("SCORE: 7\nfine") == Approx(0.7));
  CHECK(parse_rating("**Score**: 0.35") == Approx(0.35));
  CHECK(parse_rating("score = 10/10") == Approx(1.0));
  CHECK(parse_rating("Score: 6 out of 10") == Approx(0.6));
  CHECK_FALSE(parse_rating("no number here"));
  CHECK_FALSE(parse_rating("score: 42"));
  CHECK_FALSE(parse_rating("score: none"));
}
