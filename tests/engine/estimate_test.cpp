#include "switchyard/engine/estimate.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::engine;

TEST_CASE("input tokens at 4 bytes each plus context and framing",
          "[estimate]") {
  CHECK(estimate_input_tokens(0, 0) == 8);
  CHECK(estimate_input_tokens(4, 0) == 9);
  CHECK(estimate_input_tokens(5, 100) == 110);
}

TEST_CASE("output tokens follow tier and task type and respect caps",
          "[estimate]") {
  auto simple = estimate_output_tokens(complexity_tier::simple,
                                       task_type::general, 10, 10'000, {});
  auto critical = estimate_output_tokens(complexity_tier::critical,
                                         task_type::general, 10, 10'000, {});
  CHECK(simple < critical);
  auto code = estimate_output_tokens(complexity_tier::moderate,
                                     task_type::code_generation, 10, 10'000, {});
  auto tools = estimate_output_tokens(complexity_tier::moderate,
                                      task_type::tool_use, 10, 10'000, {});
  CHECK(code > tools);
  auto refactor = estimate_output_tokens(complexity_tier::moderate,
                                         task_type::refactoring, 50'000,
                                         10'000, {});
  CHECK(refactor == 10'000);
  CHECK(estimate_output_tokens(complexity_tier::critical, task_type::general, 10,
                               10'000, 64u)
        == 64);
}

TEST_CASE("cost is usage times price, +-30%", "[estimate]") {
  model_spec m;
  m.cost_per_1k_input = 0.003;
  m.cost_per_1k_output = 0.015;
  auto c = estimate_cost(m, {1000, 2000});
  // 0.003 + 0.030 = $0.033
  CHECK(c.expected == 33'000'000);
  CHECK(c.min == 23'100'000);
  CHECK(c.max == 42'900'000);
  model_spec free;
  auto z = estimate_cost(free, {1000, 1000});
  CHECK(z.max == 0);
}

TEST_CASE("latency is time to first token plus streaming time", "[estimate]") {
  model_spec m;
  m.p50_latency_ms = 500;
  m.tokens_per_second = 100;
  CHECK(estimate_latency_s(m, 200) == Approx(2.5));
}

TEST_CASE("max_tokens keeps a call within its reservation", "[estimate]") {
  model_spec m;
  m.cost_per_1k_input = 0.003;
  m.cost_per_1k_output = 0.015;
  token_estimate t{1000, 2000};
  auto reserved = estimate_cost(m, t).max; // $0.0429
  auto n = max_tokens_within(m, t.input, reserved, 10'000);
  // (0.0429 - 0.003) / 0.015 * 1000 = 2660 tokens.
  CHECK(n == 2660);
  auto worst = estimate_cost(m, {t.input, n}).expected;
  CHECK(worst <= reserved);
  CHECK(max_tokens_within(m, t.input, reserved, 500) == 500);
  model_spec free;
  CHECK(max_tokens_within(free, 100, 0, 777) == 777);
}
