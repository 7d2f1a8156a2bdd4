#include "switchyard/engine/consensus.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace switchyard::engine;

namespace {

ensemble_answer ans(std::uint16_t model, std::string_view text, double q,
                    std::uint32_t arrival, bool ok = true) {
  return {model, ok, text, q, arrival};
}

} // namespace

TEST_CASE("voting picks the answer most members gave", "[consensus]") {
  std::vector<ensemble_answer> a{ans(0, "Paris.", 0.8, 2),
                                 ans(1, "Lyon", 0.99, 0),
                                 ans(2, "  paris ", 0.7, 1)};
  auto r = reach_consensus(consensus_strategy::voting, a);
  REQUIRE(r.winner);
  // The earliest of the agreeing answers represents them.
  CHECK(*r.winner == 2);
  CHECK(r.agreement == Approx(2.0 / 3.0));
}

TEST_CASE("voting ties go to the higher quality", "[consensus]") {
  std::vector<ensemble_answer> a{ans(0, "A", 0.8, 0), ans(1, "B", 0.9, 1)};
  auto r = reach_consensus(consensus_strategy::voting, a);
  CHECK(r.winner == std::optional<std::size_t>{1});
}

TEST_CASE("quality_weighted pools the quality of agreeing answers",
          "[consensus]") {
  std::vector<ensemble_answer> a{ans(0, "42", 0.5, 0), ans(1, "42", 0.5, 1),
                                 ans(2, "41", 0.95, 2)};
  auto r = reach_consensus(consensus_strategy::quality_weighted, a);
  CHECK(r.winner == std::optional<std::size_t>{0});
  a[2].quality = 1.2;
  CHECK(reach_consensus(consensus_strategy::quality_weighted, a).winner
        == std::optional<std::size_t>{2});
}

TEST_CASE("first_success takes the earliest successful answer",
          "[consensus]") {
  std::vector<ensemble_answer> a{ans(0, "x", 0.9, 0, false),
                                 ans(1, "y", 0.5, 2), ans(2, "z", 0.6, 1)};
  CHECK(reach_consensus(consensus_strategy::first_success, a).winner
        == std::optional<std::size_t>{2});
}

TEST_CASE("the judge's pick wins unless it is unusable", "[consensus]") {
  std::vector<ensemble_answer> a{ans(0, "A", 0.9, 0), ans(1, "B", 0.5, 1),
                                 ans(2, "C", 0.5, 2, false)};
  auto r = reach_consensus(consensus_strategy::judge, a, 1);
  CHECK(r.winner == std::optional<std::size_t>{1});
  CHECK_FALSE(r.judge_fallback);
  auto failed_pick = reach_consensus(consensus_strategy::judge, a, 2);
  CHECK(failed_pick.judge_fallback);
  CHECK(failed_pick.winner == std::optional<std::size_t>{0});
  auto none = reach_consensus(consensus_strategy::judge, a, std::nullopt);
  CHECK(none.judge_fallback);
}

TEST_CASE("no successful member means no winner", "[consensus]") {
  std::vector<ensemble_answer> a{ans(0, "A", 0.9, 0, false)};
  for (auto s : {consensus_strategy::judge, consensus_strategy::voting,
                 consensus_strategy::quality_weighted,
                 consensus_strategy::first_success})
    CHECK_FALSE(reach_consensus(s, a).winner);
}

TEST_CASE("judge verdicts are parsed from free text", "[consensus]") {
  CHECK(parse_judge_verdict("ANSWER 2\nIt handles the edge case.", 3)
        == std::optional<std::size_t>{1});
  CHECK(parse_judge_verdict("The best is answer #3 because...", 3)
        == std::optional<std::size_t>{2});
  CHECK(parse_judge_verdict("I pick 1.", 3) == std::optional<std::size_t>{0});
  CHECK_FALSE(parse_judge_verdict("ANSWER 7", 3));
  CHECK_FALSE(parse_judge_verdict("none of them, see 12b", 3));
  std::vector<ensemble_answer> a{ans(0, "A", 0.9, 0), ans(1, "B", 0.5, 1, false)};
  auto prompt = build_judge_prompt("task text", a);
  CHECK_THAT(prompt, Catch::Contains("## Answer 1\nA"));
  CHECK_THAT(prompt, Catch::Contains("## Answer 2\n(no answer"));
  CHECK_THAT(prompt, Catch::Contains("ANSWER <n>"));
}
