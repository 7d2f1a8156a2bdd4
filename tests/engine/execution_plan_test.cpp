// The execution plan's builder, its fit to a budget and the critic's bound
// on revisions (engine/execution_plan.hpp), without CAF.

#include "switchyard/engine/execution_plan.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace switchyard::engine;

namespace {

std::vector<std::string> roles_of(const execution_plan& p) {
  std::vector<std::string> out;
  for (const auto& s : p.steps)
    out.push_back(s.role);
  return out;
}

using roles = std::vector<std::string>;

} // namespace

TEST_CASE("each tier has its plan", "[plan]") {
  plan_request r;
  r.type = task_type::code_generation;
  r.tier = complexity_tier::simple;
  auto single = build_plan(r);
  CHECK(single.kind == plan_kind::single);
  CHECK(roles_of(single) == roles{"answer"});
  CHECK(single.steps[0].final);

  r.tier = complexity_tier::moderate;
  auto chain = build_plan(r);
  CHECK(chain.kind == plan_kind::chain);
  CHECK(roles_of(chain) == roles{"planner", "executor"});
  // The planner is routed as a simple task; only the executor answers.
  CHECK(chain.steps[0].route_as == complexity_tier::simple);
  CHECK_FALSE(chain.steps[0].final);
  CHECK(chain.steps[1].route_as == complexity_tier::moderate);
  CHECK(chain.steps[1].final);

  r.tier = complexity_tier::complex;
  auto specialists = build_plan(r);
  CHECK(specialists.kind == plan_kind::specialists);
  CHECK(roles_of(specialists)
        == roles{"research", "implementation", "review", "synthesis"});
  CHECK(specialists.steps[0].specialist);
  CHECK_FALSE(specialists.steps[3].specialist);
  CHECK(specialists.steps[3].final);

  r.tier = complexity_tier::critical;
  r.max_revisions = 2;
  auto critic = build_plan(r);
  CHECK(critic.kind == plan_kind::critic);
  CHECK(
    roles_of(critic)
    == roles{"research", "implementation", "review", "synthesis", "critic"});
  CHECK(critic.max_revisions == 2);
  CHECK_FALSE(critic.steps.back().final);
}

TEST_CASE("the caller's plan wins, and an agent's turn runs single unless asked",
          "[plan]") {
  plan_request r;
  r.tier = complexity_tier::critical;
  r.agent_turn = true;
  CHECK(build_plan(r).kind == plan_kind::single);
  r.requested = plan_kind::chain;
  CHECK(build_plan(r).kind == plan_kind::chain);
  r.agent_turn = false;
  r.requested = plan_kind::single;
  CHECK(build_plan(r).kind == plan_kind::single);
}

TEST_CASE("a task whose caller asked for an ensemble runs single, as that "
          "ensemble, unless a plan is asked too",
          "[plan]") {
  plan_request r;
  r.tier = complexity_tier::critical;
  CHECK(build_plan(r).kind == plan_kind::critic);
  r.ensemble_requested = true;
  CHECK(build_plan(r).kind == plan_kind::single);
  r.requested = plan_kind::specialists;
  CHECK(build_plan(r).kind == plan_kind::specialists);
}

TEST_CASE("roles come from the request, else from the task type", "[plan]") {
  plan_request r;
  r.tier = complexity_tier::complex;
  r.type = task_type::analysis;
  CHECK(roles_of(build_plan(r))
        == roles{"research", "analysis", "review", "synthesis"});
  std::vector<std::string> mine{"threat model", "exploit"};
  r.roles = mine;
  CHECK(roles_of(build_plan(r))
        == roles{"threat model", "exploit", "synthesis"});
}

TEST_CASE("plan kinds read and print by name", "[plan]") {
  for (auto k : {plan_kind::single, plan_kind::chain, plan_kind::specialists,
                 plan_kind::critic})
    CHECK(plan_kind_from(to_string(k)) == k);
  CHECK_FALSE(plan_kind_from("ensemble"));
}

TEST_CASE("a plan shortens to its budget: revisions, the critic, then "
          "specialists",
          "[plan]") {
  plan_request r;
  r.tier = complexity_tier::critical;
  r.type = task_type::code_review;
  r.max_revisions = 1;
  auto p = build_plan(r); // research implementation review synthesis critic
  std::vector<usd_nanos> cost{10, 10, 10, 20, 5};
  // Everything once: 55; with a revision round (synthesis + critic): 80.
  SECTION("it fits") {
    auto f = fit_to_budget(p, cost, 80);
    CHECK(f.refusal.empty());
    CHECK(f.dropped.empty());
    CHECK(f.plan.max_revisions == 1);
  }
  SECTION("no revision round") {
    auto f = fit_to_budget(p, cost, 79);
    CHECK(f.refusal.empty());
    CHECK(f.dropped == roles{"revision"});
    CHECK(f.plan.kind == plan_kind::critic);
    CHECK(f.plan.max_revisions == 0);
  }
  SECTION("no critic") {
    auto f = fit_to_budget(p, cost, 54);
    CHECK(f.refusal.empty());
    CHECK(f.dropped == roles{"revision", "critic"});
    CHECK(f.plan.kind == plan_kind::specialists);
    CHECK(roles_of(f.plan)
          == roles{"research", "implementation", "review", "synthesis"});
  }
  SECTION("fewer specialists, the last first; one stays") {
    auto f = fit_to_budget(p, cost, 30);
    CHECK(f.refusal.empty());
    CHECK(f.dropped == roles{"revision", "critic", "review", "implementation"});
    CHECK(roles_of(f.plan) == roles{"research", "synthesis"});
  }
  SECTION("not even its shortest form") {
    auto f = fit_to_budget(p, cost, 29);
    CHECK(f.refusal
          == "the budget left ($2.9e-08) cannot cover the critic plan even "
             "at its shortest ($3e-08 at worst)");
  }
  SECTION("a chain is not shortened") {
    r.tier = complexity_tier::moderate;
    auto chain = build_plan(r);
    std::vector<usd_nanos> two{5, 20};
    CHECK(fit_to_budget(chain, two, 25).refusal.empty());
    auto f = fit_to_budget(chain, two, 24);
    CHECK_FALSE(f.refusal.empty());
    CHECK(f.dropped.empty());
    CHECK(f.plan.steps.size() == 2);
  }
}

TEST_CASE("the critic asks for revisions below its threshold, at most "
          "max_revisions times",
          "[plan]") {
  plan_request r;
  r.tier = complexity_tier::critical;
  r.max_revisions = 2;
  auto p = build_plan(r);
  CHECK(wants_revision(p, 0, 0.5, 0.8));
  CHECK(wants_revision(p, 1, 0.5, 0.8));
  CHECK_FALSE(wants_revision(p, 2, 0.5, 0.8)); // bound reached
  CHECK_FALSE(wants_revision(p, 0, 0.8, 0.8)); // good enough
  r.tier = complexity_tier::complex;
  CHECK_FALSE(wants_revision(build_plan(r), 0, 0.1, 0.8)); // no critic
}
