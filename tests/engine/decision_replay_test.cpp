// Recording a decision's inputs and routing again from them.
#include "switchyard/engine/decision_diff.hpp"
#include "switchyard/engine/learning.hpp"

#include "routing_fixture.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::engine;

TEST_CASE_METHOD(test::routing_fixture,
                 "a decision recomputed from its recorded inputs is identical",
                 "[replay]") {
  // Learned state that moves the decision, an open breaker and a budget.
  performance_table table;
  table.resize(reg.models.size());
  auto& sonnet = table.at(index("claude-sonnet-4"), task_type::code_review);
  sonnet.success = 0.2;
  sonnet.confidence = 0.9;
  sonnet.samples = 200;
  std::vector<std::uint8_t> breakers(reg.providers.size(), 0);
  breakers[reg.models[index("gpt-4o")].provider_index] = 1;
  // A per-prompt prediction that doubts GPT-4o-mini.
  std::vector<success_estimate> predicted(reg.models.size());
  predicted[index("gpt-4o-mini")] = {0.1, 0.8};
  routing_state live;
  live.performance = &table;
  live.breaker_open = breakers;
  live.budget_remaining = usd_to_nanos_ceil(0.5);
  live.predicted_success = predicted;
  route_request req;
  req.text = "Review this pull request diff for bugs";
  auto logged = router.route(req, live);
  record_inputs(live, logged.cls.type, reg.models.size(), logged.inputs);
  CHECK(logged.inputs.recorded);
  CHECK(logged.inputs.performance.size() == reg.models.size());
  CHECK(logged.inputs.predicted_success.size() == reg.models.size());

  performance_table scratch;
  auto replayed_state
    = replay_state(logged.inputs, logged.cls.type, reg.models.size(), scratch);
  auto again = router.route(req, replayed_state);
  CHECK_FALSE(first_difference(logged, again, reg));

  // Without the learned cells the decision comes out otherwise, and the
  // difference names the field.
  auto blind = router.route(req, state);
  auto diff = first_difference(logged, blind, reg);
  REQUIRE(diff);
  CHECK_FALSE(diff->path.empty());
  CHECK(diff->logged != diff->recomputed);
}

TEST_CASE_METHOD(test::routing_fixture,
                 "the first difference names the field path and both values",
                 "[replay]") {
  auto a = route("Write a fibonacci function");
  auto b = a;
  REQUIRE(b.candidates.size() > 2);
  b.candidates[2].points.cost += 0.5;
  auto diff = first_difference(a, b, reg);
  REQUIRE(diff);
  CHECK(diff->path == "candidates[2].points.cost");
  b = a;
  b.fallbacks.push_back(index("gpt-4o"));
  diff = first_difference(a, b, reg);
  REQUIRE(diff);
  CHECK(diff->path == "fallbacks.size");
  b = a;
  REQUIRE(!b.fallbacks.empty());
  b.fallbacks[0] = index("gpt-4o");
  if (a.fallbacks[0] != b.fallbacks[0]) {
    diff = first_difference(a, b, reg);
    REQUIRE(diff);
    CHECK(diff->path == "fallbacks[0]");
    CHECK(diff->recomputed == "gpt-4o");
  }
}
