// Hedged ensembles: the deadline rule and when an ensemble proceeds, without
// CAF (the judge actor only applies them).
#include "switchyard/engine/decision_diff.hpp"
#include "switchyard/engine/ensemble_deadline.hpp"
#include "switchyard/engine/estimate.hpp"

#include "routing_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace switchyard;
using namespace switchyard::engine;

namespace {

/// Three models on three providers: time to first token 500, 1000 and
/// 2000 ms, then 100 output tokens at 100 tokens per second (1 s).
registry three_models() {
  registry reg;
  std::array<double, 3> p50{500, 1000, 2000};
  for (std::size_t i = 0; i < p50.size(); ++i) {
    provider_spec p;
    p.id = "p" + std::to_string(i);
    reg.providers.push_back(p);
    model_spec m;
    m.id = "m" + std::to_string(i);
    m.provider = p.id;
    m.provider_index = static_cast<std::uint16_t>(i);
    m.p50_latency_ms = p50[i];
    m.tokens_per_second = 100;
    reg.models.push_back(m);
  }
  return reg;
}

constexpr std::array<std::uint16_t, 3> all_three{0, 1, 2};
constexpr std::uint32_t output_tokens = 100;

} // namespace

TEST_CASE("the deadline is the smaller of the member timeout and k times the "
          "slowest member's expected latency",
          "[ensemble][hedging]") {
  auto reg = three_models();
  reg.policy.hedge_latency_factor = 3.0;
  reg.policy.ensemble_member_timeout_s = 30.0;
  SECTION("without samples, the registry's estimates") {
    // Slowest: 2 s to the first token + 1 s streaming; 3 x 3 s.
    CHECK(ensemble_deadline_ms(reg, all_three, task_type::general,
                               output_tokens, nullptr)
          == 9'000);
    performance_table empty;
    empty.resize(reg.models.size());
    CHECK(ensemble_deadline_ms(reg, all_three, task_type::general,
                               output_tokens, &empty)
          == 9'000);
    // The estimate follows the expected output.
    CHECK(ensemble_deadline_ms(reg, all_three, task_type::general, 400,
                               nullptr)
          == 18'000);
  }
  SECTION("learned latency wins over the estimate once it has samples") {
    performance_table table;
    table.resize(reg.models.size());
    auto& fast = table.at(2, task_type::code_review);
    fast.latency_ms = 1'200;
    fast.samples = 4;
    // m2 learned 1.2 s; m1 has no samples: 1 s + 1 s from the registry.
    CHECK(ensemble_deadline_ms(reg, all_three, task_type::code_review,
                               output_tokens, &table)
          == 6'000);
    // Another task type has no samples for m2.
    CHECK(ensemble_deadline_ms(reg, all_three, task_type::testing,
                               output_tokens, &table)
          == 9'000);
    // A slow learned member sets the deadline, up to the member timeout.
    table.at(0, task_type::code_review) = {0.9, 7'000, 0.5, 10, 0.8};
    CHECK(ensemble_deadline_ms(reg, all_three, task_type::code_review,
                               output_tokens, &table)
          == 21'000);
    table.at(0, task_type::code_review).latency_ms = 12'000;
    CHECK(ensemble_deadline_ms(reg, all_three, task_type::code_review,
                               output_tokens, &table)
          == 30'000);
    // Samples without a latency (an EMA never fed) are no latency.
    auto& unfed = table.at(1, task_type::testing);
    unfed.samples = 3;
    unfed.latency_ms = 0;
    CHECK(expected_member_latency_s(reg.models[1], &unfed, output_tokens)
          == 2.0);
  }
  SECTION("the member timeout caps it") {
    reg.policy.ensemble_member_timeout_s = 4.5;
    CHECK(ensemble_deadline_ms(reg, all_three, task_type::general,
                               output_tokens, nullptr)
          == 4'500);
  }
  SECTION("the factor scales it, rounded up to whole milliseconds") {
    reg.policy.hedge_latency_factor = 1.0001;
    CHECK(ensemble_deadline_ms(reg, all_three, task_type::general,
                               output_tokens, nullptr)
          == 3'001);
  }
  SECTION("only the members count") {
    std::array<std::uint16_t, 2> quick{0, 1};
    CHECK(ensemble_deadline_ms(reg, quick, task_type::general, output_tokens,
                               nullptr)
          == 6'000);
  }
  SECTION("never 0, which a record reads as no deadline") {
    for (auto& m : reg.models) {
      m.p50_latency_ms = 0;
      m.tokens_per_second = 0;
    }
    CHECK(ensemble_deadline_ms(reg, all_three, task_type::general,
                               output_tokens, nullptr)
          == 1);
  }
}

TEST_CASE("the quorum is the policy's, 0 when it asks for every member",
          "[ensemble][hedging]") {
  routing_policy policy;
  CHECK(ensemble_quorum(policy, 3) == 0);
  policy.ensemble_quorum = 2;
  CHECK(ensemble_quorum(policy, 3) == 2);
  CHECK(ensemble_quorum(policy, 2) == 0);
  policy.ensemble_quorum = 8;
  CHECK(ensemble_quorum(policy, 3) == 0);
}

TEST_CASE("an ensemble proceeds at its quorum or at its deadline with an "
          "answer",
          "[ensemble][hedging]") {
  using next = ensemble_next;
  // members, answered, succeeded, quorum, deadline passed
  SECTION("without a quorum: every member") {
    CHECK(ensemble_progress(3, 2, 2, 0, false) == next::wait);
    CHECK(ensemble_progress(3, 3, 1, 0, false) == next::proceed);
    CHECK(ensemble_progress(3, 3, 0, 0, false) == next::fail);
  }
  SECTION("a quorum of successes") {
    CHECK(ensemble_progress(3, 1, 1, 2, false) == next::wait);
    CHECK(ensemble_progress(3, 2, 1, 2, false) == next::wait);
    CHECK(ensemble_progress(3, 2, 2, 2, false) == next::proceed);
  }
  SECTION("the deadline, with at least one success") {
    CHECK(ensemble_progress(3, 1, 1, 0, true) == next::proceed);
    CHECK(ensemble_progress(3, 2, 1, 2, true) == next::proceed);
    // None yet: wait for the first success, or for every member to fail.
    CHECK(ensemble_progress(3, 0, 0, 0, true) == next::wait);
    CHECK(ensemble_progress(3, 2, 0, 0, true) == next::wait);
    CHECK(ensemble_progress(3, 3, 0, 0, true) == next::fail);
  }
}

TEST_CASE_METHOD(test::routing_fixture,
                 "the router hedges the ensemble it plans, and replay "
                 "recomputes the same deadline",
                 "[ensemble][hedging][replay]") {
  reg.policy.ensemble_quorum = 2;
  route_request req;
  req.text = "Audit production deployment for security vulnerabilities";
  auto blind = router.route(req, state);
  REQUIRE(blind.parallel);
  REQUIRE(blind.ensemble.members.size() == 3);
  CHECK(blind.ensemble.quorum == 2);
  double slowest = 0;
  for (auto m : blind.ensemble.members)
    slowest = std::max(slowest,
                       estimate_latency_s(model(m), blind.tokens.output));
  auto expected = static_cast<std::uint32_t>(std::ceil(std::min(
    reg.policy.ensemble_member_timeout_s,
    reg.policy.hedge_latency_factor * slowest) * 1000.0));
  CHECK(blind.ensemble.deadline_ms == expected);
  CHECK(blind.ensemble.deadline_ms > 0);

  // The slowest member learned to answer in 2 s for security audits.
  performance_table table;
  table.resize(reg.models.size());
  for (auto m : blind.ensemble.members) {
    auto& cell = table.at(m, task_type::security_audit);
    cell.latency_ms = 1'000;
    cell.samples = 5;
  }
  table.at(blind.ensemble.members[1], task_type::security_audit).latency_ms
    = 2'000;
  routing_state live;
  live.performance = &table;
  auto logged = router.route(req, live);
  REQUIRE(logged.parallel);
  REQUIRE(logged.ensemble.members == blind.ensemble.members);
  CHECK(logged.ensemble.deadline_ms
        == static_cast<std::uint32_t>(
          std::min(reg.policy.ensemble_member_timeout_s * 1000.0,
                   reg.policy.hedge_latency_factor * 2'000.0)));
  record_inputs(live, logged.cls.type, reg.models.size(), logged.inputs);
  performance_table scratch;
  auto again = router.route(
    req, replay_state(logged.inputs, logged.cls.type, reg.models.size(),
                      scratch));
  CHECK(again.ensemble.deadline_ms == logged.ensemble.deadline_ms);
  CHECK_FALSE(first_difference(logged, again, reg));
  // A different deadline is a difference; none recorded (0) is not.
  auto other = again;
  other.ensemble.deadline_ms += 1;
  auto diff = first_difference(logged, other, reg);
  REQUIRE(diff);
  CHECK(diff->path == "ensemble.deadline_ms");
  other.ensemble.deadline_ms = 0;
  CHECK_FALSE(first_difference(other, logged, reg));

  // A reused decision forgets the hedging of the one before.
  decision reused = logged;
  req.text = "say hello";
  router.route(req, state, reused);
  CHECK_FALSE(reused.parallel);
  CHECK(reused.ensemble.deadline_ms == 0);
  CHECK(reused.ensemble.quorum == 0);
}
