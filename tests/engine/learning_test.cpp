#include "switchyard/engine/learning.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::engine;

TEST_CASE("feedback scoring", "[learning]") {
  using v = feedback_report::verdict;
  auto score = [](feedback_report f) { return score_feedback(f); };
  CHECK(score({v::success, {}, {}, {}, {}}) == 1.0);
  CHECK(score({v::partial, {}, {}, {}, {}}) == 0.5);
  CHECK(score({v::failure, {}, {}, {}, {}}) == 0.0);
  // Blended with a quality score.
  CHECK(*score({v::success, 0.6, {}, {}, {}}) == Approx(0.8));
  // +0.2 merged (capped at 1), -0.5 reverted.
  CHECK(*score({v::partial, {}, true, {}, {}}) == Approx(0.7));
  CHECK(*score({v::success, {}, true, {}, {}}) == Approx(1.0));
  CHECK(*score({v::success, {}, {}, true, {}}) == Approx(0.5));
  CHECK(*score({v::failure, {}, {}, true, {}}) == Approx(0.0));
  // Ratings 1-5 map to 0-1.
  CHECK(*score({v::none, {}, {}, {}, 5}) == Approx(1.0));
  CHECK(*score({v::none, {}, {}, {}, 1}) == Approx(0.0));
  CHECK(*score({v::none, {}, {}, {}, 4}) == Approx(0.75));
  CHECK_FALSE(score({}));
}

TEST_CASE("outcomes move the EMA by alpha and raise confidence", "[learning]") {
  learning_params p;
  learned_cell cell;
  auto empty = view_of(cell, 0, p);
  CHECK(empty.confidence == 0.0);
  CHECK(empty.success == 0.5);
  apply_outcome(cell, true, 100, 0, 0, p);
  apply_outcome(cell, false, 300, 0, 0, p);
  CHECK(cell.success.value == Approx(0.9));
  CHECK(cell.latency_ms.value == Approx(120));
  auto v = view_of(cell, 0, p);
  CHECK(v.samples == Approx(2.0));
  CHECK(v.confidence == Approx(2.0 / 22.0));
  for (int i = 0; i < 200; ++i)
    apply_outcome(cell, true, 100, 0, 0, p);
  CHECK(view_of(cell, 0, p).confidence > 0.9);
}

TEST_CASE("confidence decays with the age of the evidence", "[learning]") {
  learning_params p;
  learned_cell cell;
  for (int i = 0; i < 20; ++i)
    apply_outcome(cell, true, 100, 0, 0, p);
  auto fresh = view_of(cell, 0, p);
  auto week_later = view_of(cell, p.half_life_s, p);
  CHECK(fresh.samples == Approx(20));
  CHECK(week_later.samples == Approx(10));
  CHECK(week_later.confidence < fresh.confidence);
}

TEST_CASE("feedback outweighs bare call success", "[learning]") {
  learning_params p;
  learned_cell cell;
  for (int i = 0; i < 10; ++i)
    apply_outcome(cell, true, 100, 0, 0, p);
  for (int i = 0; i < 10; ++i)
    apply_feedback(cell, 0.0, 0, p);
  auto v = view_of(cell, 0, p);
  CHECK(v.success < 0.5);
  CHECK(v.feedback_weight < 0.5);
}
