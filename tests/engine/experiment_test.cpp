#include "switchyard/engine/experiment.hpp"

#include "routing_fixture.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <random>

using namespace switchyard::engine;

namespace {

experiment_spec two_arms(experiment_metric metric, std::uint32_t min_samples) {
  experiment_spec s;
  s.id = "review-mini-vs-sonnet";
  s.type = task_type::code_review;
  s.arms = {{"mini", "gpt-4o-mini"}, {"sonnet", "claude-sonnet-4"}};
  s.seed = 42;
  s.metric = metric;
  s.min_samples_per_arm = min_samples;
  return s;
}

} // namespace

TEST_CASE("arm assignment is a deterministic, balanced hash", "[experiment]") {
  auto spec = two_arms(experiment_metric::feedback, 100);
  std::array<int, 2> counts{};
  for (std::uint64_t key = 1; key <= 10'000; ++key) {
    auto arm = assign_arm(spec, key);
    REQUIRE(arm);
    CHECK(assign_arm(spec, key) == arm); // same key, same arm
    ++counts[*arm];
  }
  CHECK(counts[0] > 4'800);
  CHECK(counts[1] > 4'800);
  // Another seed reshuffles.
  auto reseeded = spec;
  reseeded.seed = 43;
  int moved = 0;
  for (std::uint64_t key = 1; key <= 1'000; ++key)
    moved += assign_arm(spec, key) != assign_arm(reseeded, key) ? 1 : 0;
  CHECK(moved > 400);
  CHECK(moved < 600);
  // A traffic share leaves the rest of the tasks alone.
  spec.traffic_share = 0.2;
  int in = 0;
  for (std::uint64_t key = 1; key <= 10'000; ++key)
    in += assign_arm(spec, key) ? 1 : 0;
  CHECK(in > 1'800);
  CHECK(in < 2'200);
}

TEST_CASE("a planted winner is declared once the sample suffices",
          "[experiment]") {
  auto spec = two_arms(experiment_metric::feedback, 200);
  std::mt19937_64 rng{7};
  std::normal_distribution<double> mini{0.80, 0.15};
  std::normal_distribution<double> sonnet{0.86, 0.15};
  std::array<sample_tally, 2> arms;
  for (int i = 0; i < 150; ++i) {
    arms[0].add(std::clamp(mini(rng), 0.0, 1.0));
    arms[1].add(std::clamp(sonnet(rng), 0.0, 1.0));
  }
  auto early = evaluate_experiment(spec, arms);
  CHECK(early.verdict == experiment_verdict::collecting);
  CHECK(early.leader == 1);
  for (int i = 0; i < 350; ++i) {
    arms[0].add(std::clamp(mini(rng), 0.0, 1.0));
    arms[1].add(std::clamp(sonnet(rng), 0.0, 1.0));
  }
  auto later = evaluate_experiment(spec, arms);
  CHECK(later.verdict == experiment_verdict::winner);
  CHECK(later.leader == 1);
  CHECK(later.p_value < 1e-6);
}

TEST_CASE("no winner below the minimum sample, whatever the difference",
          "[experiment]") {
  auto spec = two_arms(experiment_metric::success, 100);
  std::array<sample_tally, 2> arms;
  for (int i = 0; i < 99; ++i) {
    arms[0].add(1.0);
    arms[1].add(i % 2 == 0 ? 1.0 : 0.0);
  }
  auto r = evaluate_experiment(spec, arms);
  CHECK(r.verdict == experiment_verdict::collecting);
  CHECK(r.leader == 0);
  CHECK(r.p_value < 0.001); // significant, yet too few observations
}

TEST_CASE("equal arms give no winner", "[experiment]") {
  auto spec = two_arms(experiment_metric::success, 100);
  spec.arms.push_back({"control", ""});
  std::mt19937_64 rng{11};
  std::bernoulli_distribution coin{0.7};
  std::array<sample_tally, 3> arms;
  for (int i = 0; i < 2'000; ++i)
    for (auto& a : arms)
      a.add(coin(rng) ? 1.0 : 0.0);
  auto r = evaluate_experiment(spec, arms);
  CHECK(r.verdict == experiment_verdict::no_difference);
  CHECK(r.threshold == Approx(0.025)); // Bonferroni over two comparisons
}

TEST_CASE("experiment specs are checked against the registry",
          "[experiment]") {
  auto reg = switchyard::test::routing_fixture::load();
  auto spec = two_arms(experiment_metric::feedback, 100);
  CHECK(validate_experiment(spec, reg).empty());
  spec.arms[1].model = "no-such-model";
  CHECK_THAT(validate_experiment(spec, reg),
             Catch::Contains("'no-such-model', which is not in the registry"));
  spec.arms.pop_back();
  CHECK_THAT(validate_experiment(spec, reg), Catch::Contains("two arms"));
}
