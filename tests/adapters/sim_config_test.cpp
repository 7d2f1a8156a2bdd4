// The simulator's config, its determinism and its coverage of the registry.
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/sim/request_plan.hpp"
#include "switchyard/sim/sim_config.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::sim;

namespace {

sim_config_result parse(const std::string& yaml) {
  return parse_sim_config(yaml, "sim.yaml", {});
}

std::string all_errors(const sim_config_result& r) {
  std::string out;
  for (const auto& e : r.errors)
    out += e.to_string() + "\n";
  return out;
}

} // namespace

TEST_CASE("sim config: defaults fill in what a model leaves out", "[sim]") {
  auto r = parse("version: 1\nseed: 5\ntime_scale: 0.5\n"
                 "defaults:\n"
                 "  latency_ms: {p50: 10, p99: 40}\n"
                 "  tokens_per_second: 50\n"
                 "  faults: {http_500: 0.1}\n"
                 "models:\n"
                 "  a: {}\n"
                 "  b:\n"
                 "    latency_ms: 7\n"
                 "    output_tokens: {min: 3, max: 4}\n"
                 "    faults: {http_429: 0.2}\n");
  INFO(all_errors(r));
  REQUIRE(r.config);
  CHECK(r.config->seed == 5);
  CHECK(r.config->time_scale == 0.5);
  const auto& a = r.config->models.at("a");
  CHECK(a.latency == delay_spec{10, 40});
  CHECK(a.tokens_per_second == 50);
  CHECK(a.fault_rates[static_cast<std::size_t>(fault::http_500)] == 0.1);
  const auto& b = r.config->models.at("b");
  CHECK(b.latency == delay_spec{7, 7});
  CHECK(b.output_tokens_min == 3);
  CHECK(b.output_tokens_max == 4);
  CHECK(b.fault_rates[static_cast<std::size_t>(fault::http_500)] == 0.1);
  CHECK(b.fault_rates[static_cast<std::size_t>(fault::http_429)] == 0.2);
}

TEST_CASE("sim config: every error names file:line", "[sim]") {
  auto r = parse("version: 1\n"
                 "models:\n"
                 "  a:\n"
                 "    latency_ms: {p50: 10, p99: 5}\n"
                 "    faults: {http_500: 0.7, hang: 0.6}\n"
                 "  b:\n"
                 "    tokens_per_secnd: 4\n"
                 "    faults: {explode: 0.1}\n");
  REQUIRE_FALSE(r.config);
  auto text = all_errors(r);
  INFO(text);
  CHECK(text.find("sim.yaml:4: models.a.latency_ms: p99 must be >= p50")
        != std::string::npos);
  CHECK(text.find("sim.yaml:5: models.a.faults: fault rates add up to")
        != std::string::npos);
  CHECK(text.find("sim.yaml:7:") != std::string::npos);
  CHECK(text.find("tokens_per_second") != std::string::npos);
  CHECK(text.find("sim.yaml:8:") != std::string::npos);
  CHECK(parse("models: [1, 2]\n").errors.size() == 1);
  CHECK_FALSE(parse("version: 2\nmodels: {a: {}}\n").config);
}

TEST_CASE("sim config: the built-in one covers every registry model", "[sim]") {
  auto sim = parse_sim_config(default_sim_config_yaml(),
                              default_sim_config_name, {});
  INFO(all_errors(sim));
  REQUIRE(sim.config);
  auto reg = config::parse_registry(config::default_registry_yaml(),
                                    config::default_registry_name,
                                    [](std::string_view) {
                                      return std::optional<std::string>{};
                                    });
  REQUIRE(reg.registry);
  for (const auto& m : reg.registry->models) {
    INFO(m.id << " (upstream " << m.upstream << ")");
    CHECK(sim.config->models.count(m.upstream) == 1);
  }
}

TEST_CASE("sim plans depend on seed, model and count only", "[sim]") {
  model_profile p;
  p.latency = {20, 100};
  p.ttft = {200, 600};
  p.tokens_per_second = 100;
  p.output_tokens_min = 10;
  p.output_tokens_max = 50;
  p.fault_rates[static_cast<std::size_t>(fault::http_500)] = 0.1;
  p.fault_rates[static_cast<std::size_t>(fault::http_429)] = 0.2;
  p.fault_rates[static_cast<std::size_t>(fault::truncate)] = 0.05;
  auto a = plan_request(p, 1.0, 42, "gpt-4o", 17, 1000);
  auto b = plan_request(p, 1.0, 42, "gpt-4o", 17, 1000);
  CHECK(a.fault == b.fault);
  CHECK(a.latency == b.latency);
  CHECK(a.ttft == b.ttft);
  CHECK(a.output_tokens == b.output_tokens);
  CHECK(a.text_seed == b.text_seed);
  CHECK(a.text_seed != plan_request(p, 1.0, 43, "gpt-4o", 17, 1000).text_seed);
  CHECK(a.text_seed != plan_request(p, 1.0, 42, "gpt-4", 17, 1000).text_seed);
  CHECK(a.text_seed != plan_request(p, 1.0, 42, "gpt-4o", 18, 1000).text_seed);

  // Over many requests the rates and the median come out as configured.
  std::array<int, fault_count> counts{};
  std::vector<std::int64_t> latencies;
  constexpr int n = 20'000;
  for (int i = 0; i < n; ++i) {
    auto plan = plan_request(p, 1.0, 42, "gpt-4o", i, 1000);
    ++counts[static_cast<std::size_t>(plan.fault)];
    latencies.push_back(plan.latency.count());
    CHECK(plan.output_tokens >= 10);
    CHECK(plan.output_tokens <= 50);
  }
  CHECK(counts[static_cast<std::size_t>(fault::http_500)] / double{n}
        == Approx(0.1).margin(0.01));
  CHECK(counts[static_cast<std::size_t>(fault::http_429)] / double{n}
        == Approx(0.2).margin(0.01));
  CHECK(counts[static_cast<std::size_t>(fault::truncate)] / double{n}
        == Approx(0.05).margin(0.01));
  CHECK(counts[static_cast<std::size_t>(fault::hang)] == 0);
  std::sort(latencies.begin(), latencies.end());
  CHECK(latencies[n / 2] / 1000.0 == Approx(20).epsilon(0.05));
  CHECK(latencies[n * 99 / 100] / 1000.0 == Approx(100).epsilon(0.1));

  // The request's limit caps the length; time_scale 0 removes every delay.
  auto capped = plan_request(p, 0.0, 42, "gpt-4o", 3, 5);
  CHECK(capped.output_tokens == 5);
  CHECK(capped.hit_limit);
  CHECK(capped.latency.count() == 0);
  CHECK(capped.per_token.count() == 0);
}

TEST_CASE("zero_delay removes delays and faults", "[sim]") {
  auto r = parse_sim_config(default_sim_config_yaml(), default_sim_config_name,
                            {});
  REQUIRE(r.config);
  r.config->zero_delay();
  for (const auto& [name, p] : r.config->models) {
    auto plan = plan_request(p, r.config->time_scale, 1, name, 0, 100);
    CHECK(plan.fault == fault::none);
    CHECK(plan.latency.count() == 0);
    CHECK(plan.ttft.count() == 0);
  }
}

TEST_CASE("zero_delay also calms the defaults models added later start from",
          "[sim]") {
  auto r = parse("version: 1\n"
                 "defaults:\n"
                 "  tokens_per_second: 50\n"
                 "  faults: {http_500: 0.4, reset: 0.1}\n"
                 "models: {a: {}}\n");
  INFO(all_errors(r));
  REQUIRE(r.config);
  CHECK(r.config->defaults.tokens_per_second == 50);
  CHECK(r.config->defaults.fault_rates[static_cast<std::size_t>(
          fault::http_500)]
        == 0.4);
  r.config->zero_delay();
  CHECK(r.config->defaults.tokens_per_second == 0);
  for (double rate : r.config->defaults.fault_rates)
    CHECK(rate == 0.0);
}

TEST_CASE("sim config: listed is read, defaulted and checked", "[sim]") {
  auto r = parse("version: 1\n"
                 "models:\n"
                 "  a: {}\n"
                 "  b: {listed: false}\n");
  INFO(all_errors(r));
  REQUIRE(r.config);
  CHECK(r.config->models.at("a").listed);
  CHECK_FALSE(r.config->models.at("b").listed);
  CHECK(r.config->defaults.listed);
  // A server that serves only a few: none by default, those by name.
  auto few = parse("version: 1\n"
                   "defaults: {listed: false}\n"
                   "models:\n"
                   "  a: {}\n"
                   "  b: {listed: true}\n");
  INFO(all_errors(few));
  REQUIRE(few.config);
  CHECK_FALSE(few.config->models.at("a").listed);
  CHECK(few.config->models.at("b").listed);
  // The built-in config lists every model.
  auto builtin = parse_sim_config(default_sim_config_yaml(),
                                  default_sim_config_name, {});
  REQUIRE(builtin.config);
  for (const auto& [name, p] : builtin.config->models) {
    INFO(name);
    CHECK(p.listed);
  }

  auto bad = parse("version: 1\n"
                   "defaults:\n"
                   "  listed: sometimes\n"
                   "models:\n"
                   "  a:\n"
                   "    listed: [true]\n");
  REQUIRE_FALSE(bad.config);
  auto text = all_errors(bad);
  INFO(text);
  CHECK(text.find("sim.yaml:3: defaults.listed") != std::string::npos);
  CHECK(text.find("sim.yaml:6: models.a.listed") != std::string::npos);
}

TEST_CASE("sim config: tool_call_rate is read, defaulted and checked",
          "[sim]") {
  auto r = parse("version: 1\n"
                 "defaults:\n"
                 "  tool_call_rate: 0.25\n"
                 "models:\n"
                 "  a: {}\n"
                 "  b: {tool_call_rate: 1}\n");
  INFO(all_errors(r));
  REQUIRE(r.config);
  CHECK(r.config->models.at("a").tool_call_rate == 0.25);
  CHECK(r.config->models.at("b").tool_call_rate == 1.0);
  auto unset = parse("models: {a: {}}\n");
  REQUIRE(unset.config);
  CHECK(unset.config->models.at("a").tool_call_rate == 0.0);

  auto bad = parse("version: 1\n"
                   "models:\n"
                   "  a:\n"
                   "    tool_call_rate: 1.5\n"
                   "  b:\n"
                   "    tool_call_rate: often\n");
  REQUIRE_FALSE(bad.config);
  auto text = all_errors(bad);
  INFO(text);
  CHECK(text.find("sim.yaml:4: models.a.tool_call_rate") != std::string::npos);
  CHECK(text.find("sim.yaml:6: models.b.tool_call_rate") != std::string::npos);
}

TEST_CASE("sim plans: the tool-call draw comes last and follows the rate",
          "[sim]") {
  model_profile never;
  never.latency = {20, 100};
  never.output_tokens_min = 10;
  never.output_tokens_max = 50;
  never.fault_rates[static_cast<std::size_t>(fault::http_500)] = 0.1;
  auto half = never;
  half.tool_call_rate = 0.5;
  int calls = 0;
  constexpr int n = 10'000;
  for (int i = 0; i < n; ++i) {
    auto a = plan_request(never, 1.0, 42, "m", i, 100);
    auto b = plan_request(half, 1.0, 42, "m", i, 100);
    // A rate changes nothing else about the request.
    CHECK_FALSE(a.calls_tool);
    CHECK(a.fault == b.fault);
    CHECK(a.latency == b.latency);
    CHECK(a.output_tokens == b.output_tokens);
    CHECK(a.text_seed == b.text_seed);
    calls += b.calls_tool ? 1 : 0;
  }
  CHECK(calls / double{n} == Approx(0.5).margin(0.02));
  half.tool_call_rate = 1.0;
  CHECK(plan_request(half, 1.0, 42, "m", 3, 100).calls_tool);
}

TEST_CASE("sim config: the built-in one offers tool calls at a rate",
          "[sim]") {
  auto r = parse_sim_config(default_sim_config_yaml(), default_sim_config_name,
                            {});
  REQUIRE(r.config);
  CHECK(r.config->models.at("gpt-4o").tool_call_rate == 0.5);
  // Ollama cannot force a call: its model always makes one.
  CHECK(r.config->models.at("qwen3:1.7b").tool_call_rate == 1.0);
}
