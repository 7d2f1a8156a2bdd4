#include "switchyard/engine/circuit_breaker.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::engine;
using namespace std::chrono_literals;

namespace {

/// Simulated time: starts at an arbitrary instant, moves only when told.
struct sim_clock {
  time_point now{std::chrono::hours{1000}};
  void advance(duration d) {
    now += d;
  }
};

breaker_config defaults() {
  return breaker_config{};
}

void fail_times(circuit_breaker& b, sim_clock& t, int n) {
  for (int i = 0; i < n; ++i) {
    REQUIRE(b.try_acquire(t.now));
    b.on_failure(t.now);
  }
}

} // namespace

TEST_CASE("5 consecutive failures open the breaker", "[breaker]") {
  sim_clock t;
  circuit_breaker b{defaults()};
  fail_times(b, t, 4);
  CHECK(b.state() == breaker_state::closed);
  REQUIRE(b.try_acquire(t.now));
  auto changed = b.on_failure(t.now);
  REQUIRE(changed);
  CHECK(*changed == breaker_state::open);
  CHECK_FALSE(b.try_acquire(t.now));
  CHECK(b.refuses(t.now));
}

TEST_CASE("a success resets the consecutive count", "[breaker]") {
  sim_clock t;
  circuit_breaker b{defaults()};
  fail_times(b, t, 4);
  b.on_success(t.now);
  fail_times(b, t, 4);
  CHECK(b.state() == breaker_state::closed);
}

TEST_CASE("50% failures over 20 calls, with at least 10, open the breaker",
          "[breaker]") {
  sim_clock t;
  circuit_breaker b{defaults()};
  SECTION("fewer than 10 calls never trip on the rate") {
    // F S F S F S F S F: 5 of 9 failed, but never 5 in a row.
    for (int i = 0; i < 9; ++i) {
      REQUIRE(b.try_acquire(t.now));
      if (i % 2 == 0)
        b.on_failure(t.now);
      else
        b.on_success(t.now);
    }
    CHECK(b.state() == breaker_state::closed);
    CHECK(b.window_calls() == 9);
    // The 10th call, a success, keeps 5/10 failed: the rate check runs on
    // failures only, so the next failure (6/11) trips it.
    b.on_success(t.now);
    CHECK(b.state() == breaker_state::closed);
    auto changed = b.on_failure(t.now);
    REQUIRE(changed);
    CHECK(*changed == breaker_state::open);
  }
  SECTION("the window slides: old failures age out") {
    for (int i = 0; i < 4; ++i)
      b.on_failure(t.now);
    for (int i = 0; i < 20; ++i)
      b.on_success(t.now);
    CHECK(b.window_failures() == 0);
    CHECK(b.window_calls() == 20);
    for (int i = 0; i < 4; ++i)
      b.on_failure(t.now);
    CHECK(b.state() == breaker_state::closed);
  }
}

TEST_CASE("half-open lets one probe through at a time and closes after 3 "
          "successes",
          "[breaker]") {
  sim_clock t;
  circuit_breaker b{defaults()};
  fail_times(b, t, 5);
  REQUIRE(b.state() == breaker_state::open);
  t.advance(59'999ms);
  CHECK_FALSE(b.try_acquire(t.now));
  t.advance(1ms);
  CHECK_FALSE(b.refuses(t.now));
  REQUIRE(b.try_acquire(t.now));
  CHECK(b.state() == breaker_state::half_open);
  CHECK(b.take_transition() == breaker_state::half_open);
  // A second caller is refused while the probe is out.
  CHECK_FALSE(b.try_acquire(t.now));
  CHECK(b.refuses(t.now));
  CHECK_FALSE(b.on_success(t.now));
  REQUIRE(b.try_acquire(t.now));
  CHECK_FALSE(b.try_acquire(t.now));
  CHECK_FALSE(b.on_success(t.now));
  REQUIRE(b.try_acquire(t.now));
  auto closed = b.on_success(t.now);
  REQUIRE(closed);
  CHECK(*closed == breaker_state::closed);
  CHECK(b.try_acquire(t.now));
  CHECK(b.try_acquire(t.now));
  CHECK(b.window_calls() == 0);
}

TEST_CASE("each re-opening doubles the cooldown up to 5 minutes", "[breaker]") {
  sim_clock t;
  circuit_breaker b{defaults()};
  fail_times(b, t, 5);
  CHECK(b.cooldown() == 60s);
  auto expected = {120s, 240s, 300s, 300s};
  for (auto cooldown : expected) {
    t.advance(b.cooldown());
    REQUIRE(b.try_acquire(t.now)); // the probe
    auto reopened = b.on_failure(t.now);
    REQUIRE(reopened);
    CHECK(*reopened == breaker_state::open);
    CHECK(b.cooldown() == cooldown);
    t.advance(cooldown - 1ms);
    CHECK_FALSE(b.try_acquire(t.now));
    t.advance(-(cooldown - 1ms));
  }
  SECTION("closing resets the cooldown") {
    t.advance(b.cooldown());
    for (int i = 0; i < 3; ++i) {
      REQUIRE(b.try_acquire(t.now));
      b.on_success(t.now);
    }
    REQUIRE(b.state() == breaker_state::closed);
    fail_times(b, t, 5);
    CHECK(b.cooldown() == 60s);
  }
}

TEST_CASE("a probe that never reports frees its slot after the probe timeout",
          "[breaker]") {
  sim_clock t;
  circuit_breaker b{defaults()};
  fail_times(b, t, 5);
  t.advance(60s);
  REQUIRE(b.try_acquire(t.now));
  t.advance(29'999ms);
  CHECK_FALSE(b.try_acquire(t.now));
  t.advance(1ms);
  CHECK(b.try_acquire(t.now));
}

TEST_CASE("results of calls admitted before opening change nothing",
          "[breaker]") {
  sim_clock t;
  circuit_breaker b{defaults()};
  fail_times(b, t, 5);
  CHECK_FALSE(b.on_success(t.now));
  CHECK_FALSE(b.on_failure(t.now));
  CHECK(b.state() == breaker_state::open);
  CHECK(b.cooldown() == 60s);
}

TEST_CASE("poll moves an open breaker to half-open once the cooldown is over",
          "[breaker]") {
  sim_clock t;
  circuit_breaker b{defaults()};
  fail_times(b, t, 5);
  CHECK(b.reopens_at() == t.now + 60s);
  CHECK_FALSE(b.poll(t.now + 59s));
  auto changed = b.poll(t.now + 60s);
  REQUIRE(changed);
  CHECK(*changed == breaker_state::half_open);
  // The probe slot is free: the first caller gets it, the second waits.
  CHECK(b.try_acquire(t.now + 60s));
  CHECK_FALSE(b.try_acquire(t.now + 60s));
  CHECK_FALSE(b.poll(t.now + 61s));
}

TEST_CASE("a successful health probe moves an open breaker to half-open, "
          "never to closed", "[breaker]") {
  breaker_config cfg;
  cfg.consecutive_failures = 2;
  cfg.cooldown = 30s;
  circuit_breaker b{cfg};
  time_point t{};
  CHECK_FALSE(b.on_probe_success());
  CHECK(b.state() == breaker_state::closed);
  (void) b.on_failure(t);
  // A failed probe counts like a failed call.
  CHECK(b.on_failure(t) == breaker_state::open);
  CHECK(b.refuses(t + 1s));
  CHECK(b.on_probe_success() == breaker_state::half_open);
  CHECK_FALSE(b.refuses(t + 1s));
  CHECK_FALSE(b.on_probe_success());
  CHECK(b.state() == breaker_state::half_open);
}
