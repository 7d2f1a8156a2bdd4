#include "switchyard/engine/decay.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace switchyard::engine;

TEST_CASE("decay halves every half-life, exactly", "[decay]") {
  const double week = default_half_life_s;
  CHECK(std::abs(decay_factor(week, week) - 0.5) < 1e-9);
  CHECK(std::abs(decay_factor(2 * week, week) - 0.25) < 1e-9);
  CHECK(std::abs(decay_factor(week / 2, week) - std::sqrt(0.5)) < 1e-9);
  CHECK(decay_factor(0, week) == 1.0);
  CHECK(decay_factor(-5, week) == 1.0); // a clock stepping back decays nothing
}

TEST_CASE("decayed counts merge by addition in any order", "[decay]") {
  const double hl = 100.0;
  decayed_count a, b;
  a.add(1.0, 0.0, hl);
  a.add(1.0, 100.0, hl); // 1 * 0.5 + 1
  CHECK(std::abs(a.value_at(100.0, hl) - 1.5) < 1e-9);
  b.add(2.0, 50.0, hl);
  auto merged_ab = a.value_at(200.0, hl) + b.value_at(200.0, hl);
  auto merged_ba = b.value_at(200.0, hl) + a.value_at(200.0, hl);
  CHECK(merged_ab == merged_ba);
  CHECK(std::abs(merged_ab - (1.5 * 0.5 + 2.0 * std::exp2(-1.5))) < 1e-9);
}

TEST_CASE("the EMA starts at the first sample and moves by alpha", "[decay]") {
  ema e;
  e.update(1.0, 0.1);
  CHECK(e.value == 1.0);
  e.update(0.0, 0.1);
  CHECK(std::abs(e.value - 0.9) < 1e-12);
  e.update(0.0, 0.1);
  CHECK(std::abs(e.value - 0.81) < 1e-12);
}
