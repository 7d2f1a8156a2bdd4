#include "switchyard/config/fnv1a.hpp"
#include "switchyard/config/interpolation.hpp"
#include "switchyard/config/nearest_name.hpp"
#include "switchyard/config/provider_health.hpp"
#include "switchyard/config/registry_loader.hpp"
#include "switchyard/messages/error_code.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

using namespace switchyard;
using namespace switchyard::config;
using namespace std::literals;

namespace {

// -- fixtures
// -------------------------------------------------------------------

/// An environment made of a map: tests never read the process environment.
env_lookup fake_env(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](
           std::string_view name) -> std::optional<std::string> {
    if (auto it = vars.find(std::string{name}); it != vars.end())
      return it->second;
    return std::nullopt;
  };
}

/// A small valid registry. Line numbers are asserted below: keep them.
constexpr std::string_view minimal = R"(version: 1
providers:
  local:
    kind: ollama
    base_url: http://127.0.0.1:11434
    local: true
  cloud:
    kind: openai
    base_url: https://api.example.com/v1
    api_key_env: EXAMPLE_API_KEY
models:
  - id: small
    provider: local
    upstream: small:1b
    quality: 0.5
    cost_per_1k: {input: 0, output: 0}
    context_window: 8192
    p50_latency_ms: 100
    tokens_per_second: 50
    capabilities: [tools, json]
  - id: big
    provider: cloud
    upstream: big-2025
    quality: 0.9
    cost_per_1k: {input: 0.003, output: 0.015}
    context_window: 128000
    p50_latency_ms: 900
    tokens_per_second: 80
    capabilities: [vision, tools, json, streaming]
)";

/// `text` with the one occurrence of `from` replaced by `to`.
std::string edit(std::string_view text, std::string_view from,
                 std::string_view to) {
  std::string result{text};
  auto pos = result.find(from);
  REQUIRE(pos != std::string::npos);
  REQUIRE(result.find(from, pos + 1) == std::string::npos);
  result.replace(pos, from.size(), to);
  return result;
}

registry_load_result parse(std::string_view text,
                           const env_lookup& env = fake_env()) {
  return parse_registry(text, "models.yaml", env);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& line : lines)
    all += line + "\n";
  return all;
}

/// The rendered errors of a document that must fail.
std::vector<std::string> errors_of(std::string_view text,
                                   const env_lookup& env = fake_env()) {
  auto result = parse(text, env);
  CHECK_FALSE(result.registry.has_value());
  std::vector<std::string> rendered;
  for (const auto& e : result.errors)
    rendered.push_back(e.to_string());
  CHECK_FALSE(rendered.empty());
  return rendered;
}

/// The only error of a document that must fail with exactly one.
std::string only_error(std::string_view text,
                       const env_lookup& env = fake_env()) {
  auto errors = errors_of(text, env);
  INFO("errors:\n" << joined(errors));
  REQUIRE(errors.size() == 1);
  return errors.front();
}

/// Adds a `policy:` section to the minimal registry. Its first key lands on
/// line 31.
std::string with_policy(std::string_view policy) {
  return std::string{minimal} + "policy:\n" + std::string{policy};
}

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

} // namespace

// -- the built-in registry
// ------------------------------------------------------

TEST_CASE("the default registry loads without errors", "[config]") {
  auto result = parse_registry(default_registry_yaml(), "config/models.yaml",
                               fake_env());
  for (const auto& e : result.errors)
    FAIL(e.to_string());
  REQUIRE(result.registry);
  const auto& reg = *result.registry;

  SECTION("providers") {
    struct expected_provider {
      std::string_view id;
      engine::provider_kind kind;
      std::string_view base_url;
      std::string_view api_key_env;
      bool local;
    };
    using engine::provider_kind;
    constexpr std::array providers{
      expected_provider{"anthropic", provider_kind::anthropic,
                        "https://api.anthropic.com", "ANTHROPIC_API_KEY",
                        false},
      expected_provider{"openai", provider_kind::openai,
                        "https://api.openai.com/v1", "OPENAI_API_KEY", false},
      expected_provider{"google", provider_kind::gemini,
                        "https://generativelanguage.googleapis.com/v1beta",
                        "GEMINI_API_KEY", false},
      expected_provider{"mistral", provider_kind::openai,
                        "https://api.mistral.ai/v1", "MISTRAL_API_KEY", false},
      expected_provider{"cohere", provider_kind::cohere,
                        "https://api.cohere.com/v2", "COHERE_API_KEY", false},
      expected_provider{"openrouter", provider_kind::openai,
                        "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY",
                        false},
      expected_provider{"ollama", provider_kind::ollama,
                        "http://127.0.0.1:11434", "", true},
      expected_provider{"lmstudio", provider_kind::openai,
                        "http://127.0.0.1:1234/v1", "", true},
    };
    REQUIRE(reg.providers.size() == providers.size());
    for (const auto& want : providers) {
      INFO(want.id);
      auto index = reg.provider_index(want.id);
      REQUIRE(index);
      const auto& p = reg.providers[*index];
      CHECK(p.kind == want.kind);
      CHECK(p.base_url == want.base_url);
      CHECK(p.api_key_env == want.api_key_env);
      CHECK(p.local == want.local);
    }
  }

  SECTION("models, prices and resolved providers") {
    struct expected_model {
      std::string_view id;
      std::string_view provider;
      double quality;
      double input;
      double output;
      std::uint32_t context_window;
    };
    constexpr std::array models{
      expected_model{"claude-opus-4", "anthropic", 0.98, 0.015, 0.075, 200000},
      expected_model{"claude-sonnet-4", "anthropic", 0.95, 0.003, 0.015,
                     200000},
      expected_model{"claude-haiku-4", "anthropic", 0.80, 0.00025, 0.00125,
                     200000},
      expected_model{"gpt-5", "openai", 0.94, 0.005, 0.020, 400000},
      expected_model{"gpt-4o", "openai", 0.92, 0.0025, 0.010, 128000},
      expected_model{"gpt-4o-mini", "openai", 0.82, 0.00015, 0.0006, 128000},
      expected_model{"o1", "openai", 0.97, 0.015, 0.060, 200000},
      expected_model{"o1-mini", "openai", 0.90, 0.003, 0.012, 128000},
      expected_model{"gemini-2.0-flash-thinking", "google", 0.88, 0, 0,
                     1048576},
      expected_model{"gemini-pro-1.5", "google", 0.89, 0.00125, 0.005, 2097152},
      expected_model{"gemini-flash-1.5", "google", 0.81, 0.000075, 0.0003,
                     1048576},
      expected_model{"mistral-large-2", "mistral", 0.87, 0.002, 0.006, 128000},
      expected_model{"mistral-small-2", "mistral", 0.78, 0.0002, 0.0006, 32768},
      expected_model{"command-r-plus", "cohere", 0.86, 0.0025, 0.010, 128000},
      expected_model{"command-r", "cohere", 0.79, 0.0005, 0.0015, 128000},
      expected_model{"qwen3:1.7b", "ollama", 0.55, 0, 0, 32768},
      expected_model{"qwen/qwen3-30b-a3b-2507", "lmstudio", 0.78, 0, 0, 262144},
      expected_model{"mistralai/devstral-small-2507", "lmstudio", 0.76, 0, 0,
                     131072},
    };
    for (const auto& want : models) {
      INFO(want.id);
      const auto* m = reg.find_model(want.id);
      REQUIRE(m != nullptr);
      CHECK(m->provider == want.provider);
      CHECK(reg.provider_of(*m).id == want.provider);
      CHECK(m->local == reg.provider_of(*m).local);
      CHECK(m->quality == Approx(want.quality));
      CHECK(m->cost_per_1k_input == Approx(want.input));
      CHECK(m->cost_per_1k_output == Approx(want.output));
      CHECK(m->context_window == want.context_window);
      CHECK(m->p50_latency_ms > 0);
      CHECK(m->tokens_per_second > 0);
      CHECK_FALSE(m->upstream.empty());
    }
    // The only other model is OpenRouter's example, shipped disabled.
    REQUIRE(reg.models.size() == models.size() + 1);
    const auto* openrouter = reg.find_model("openrouter/meta-llama-3.1-70b");
    REQUIRE(openrouter != nullptr);
    CHECK_FALSE(openrouter->enabled);

    const auto& thinking = *reg.find_model("gemini-2.0-flash-thinking");
    CHECK(thinking.experimental);
    CHECK(thinking.enabled);
    const auto& opus = *reg.find_model("claude-opus-4");
    CHECK(opus.upstream == "claude-opus-4-20250514");
    CHECK(opus.p50_latency_ms == 2500);
    CHECK(opus.tokens_per_second == 40);
    CHECK(opus.capabilities.bits() == 0x3f);
    const auto& haiku = *reg.find_model("claude-haiku-4");
    CHECK(haiku.capabilities.has(engine::capability::vision));
    CHECK_FALSE(haiku.capabilities.has(engine::capability::reasoning));
    CHECK(reg.find_model("qwen3:1.7b")->local);
    CHECK_FALSE(reg.find_model("gpt-4o")->local);
  }

  SECTION("task preferences cover every task type, smallest capable first") {
    for (std::size_t i = 0; i < engine::task_type_count; ++i) {
      INFO(engine::task_type_names[i]);
      CHECK(reg.preferences[i].preferred.size() >= 3);
      CHECK(reg.preferences[i].budget.size() >= 2);
      for (auto index : reg.preferences[i].preferred)
        CHECK(index < reg.models.size());
    }
    auto first_preferred = [&](engine::task_type t) {
      const auto& p = reg.preferences[static_cast<std::size_t>(t)];
      return reg.models[p.preferred.front()].id;
    };
    using engine::task_type;
    CHECK(first_preferred(task_type::code_generation)
          == "mistralai/devstral-small-2507");
    CHECK(first_preferred(task_type::reasoning) == "o1");
    CHECK(first_preferred(task_type::documentation)
          == "qwen/qwen3-30b-a3b-2507");
    CHECK(first_preferred(task_type::tool_use) == "gpt-4o-mini");
    CHECK(first_preferred(task_type::long_context) == "gemini-pro-1.5");
    CHECK(first_preferred(task_type::general) == "qwen/qwen3-30b-a3b-2507");
    const auto& review
      = reg.preferences[static_cast<std::size_t>(task_type::code_review)];
    REQUIRE(review.preferred.size() == 3);
    CHECK(reg.models[review.preferred[1]].id == "gpt-4o");
  }

  SECTION("the policy spells out routing_policy's defaults") {
    const engine::routing_policy defaults;
    const auto& p = reg.policy;
    CHECK(p.prefer_local == defaults.prefer_local);
    CHECK(p.max_cost_per_task_usd == defaults.max_cost_per_task_usd);
    CHECK(p.max_latency_per_call_s == defaults.max_latency_per_call_s);
    CHECK(p.max_tokens_per_task == defaults.max_tokens_per_task);
    CHECK(p.allow_cloud_fallback == defaults.allow_cloud_fallback);
    CHECK(p.allow_experimental == defaults.allow_experimental);
    CHECK(p.quality_by_tier == defaults.quality_by_tier);
    CHECK(p.escalate_after_local_failures
          == defaults.escalate_after_local_failures);
    CHECK(p.parallel_quality_threshold == defaults.parallel_quality_threshold);
    CHECK(p.default_consensus == defaults.default_consensus);
    CHECK(p.require_approval_for_critical
          == defaults.require_approval_for_critical);
    CHECK(p.preferred_vendors
          == std::vector<std::string>{"lmstudio", "ollama"});
    CHECK(p.breaker.consecutive_failures
          == defaults.breaker.consecutive_failures);
    CHECK(p.breaker.failure_rate == defaults.breaker.failure_rate);
    CHECK(p.breaker.window == defaults.breaker.window);
    CHECK(p.breaker.min_calls == defaults.breaker.min_calls);
    CHECK(p.breaker.cooldown == defaults.breaker.cooldown);
    CHECK(p.breaker.max_cooldown == defaults.breaker.max_cooldown);
    CHECK(p.breaker.half_open_successes
          == defaults.breaker.half_open_successes);
    CHECK(p.breaker.probe_timeout == defaults.breaker.probe_timeout);
    CHECK(p.retry.max_retries == defaults.retry.max_retries);
    CHECK(p.retry.initial_backoff == defaults.retry.initial_backoff);
    CHECK(p.retry.max_backoff == defaults.retry.max_backoff);
    CHECK(p.retry.jitter == defaults.retry.jitter);
    CHECK(p.retry.max_retry_after == defaults.retry.max_retry_after);
  }

  SECTION("base URLs follow *_BASE_URL, and so does the hash") {
    auto moved = parse_registry(
      default_registry_yaml(), "config/models.yaml",
      fake_env({{"OLLAMA_BASE_URL", "http://10.0.0.7:11434"},
                {"ANTHROPIC_BASE_URL", "http://127.0.0.1:9000"}}));
    REQUIRE(moved.registry);
    const auto& m = *moved.registry;
    CHECK(m.providers[*m.provider_index("ollama")].base_url
          == "http://10.0.0.7:11434");
    CHECK(m.providers[*m.provider_index("anthropic")].base_url
          == "http://127.0.0.1:9000");
    CHECK(m.providers[*m.provider_index("openai")].base_url
          == "https://api.openai.com/v1");
    CHECK(m.config_hash != reg.config_hash);
  }
}

TEST_CASE("the embedded registry is config/models.yaml", "[config]") {
  auto path = std::filesystem::path{SWITCHYARD_SOURCE_DIR} / "config"
              / "models.yaml";
  REQUIRE(std::filesystem::exists(path));
  std::ifstream in{path, std::ios::binary};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  CHECK(default_registry_yaml() == text);
}

// -- a small registry
// -----------------------------------------------------------

TEST_CASE("a minimal registry loads and resolves references", "[config]") {
  auto result = parse(minimal);
  for (const auto& e : result.errors)
    FAIL(e.to_string());
  REQUIRE(result.registry);
  const auto& reg = *result.registry;
  REQUIRE(reg.providers.size() == 2);
  REQUIRE(reg.models.size() == 2);
  CHECK(reg.models[0].provider_index == 0);
  CHECK(reg.models[0].local);
  CHECK(reg.models[1].provider_index == 1);
  CHECK_FALSE(reg.models[1].local);
  CHECK(reg.models[1].cost_per_1k_output == Approx(0.015));
  CHECK(reg.models[1].enabled);
  CHECK_FALSE(reg.models[1].experimental);
  CHECK(reg.providers[1].api_key_env == "EXAMPLE_API_KEY");
  CHECK(reg.providers[1].max_concurrency
        == engine::provider_spec::remote_max_concurrency);
  // No policy section: routing_policy's defaults.
  CHECK(reg.policy.selection == engine::selection_mode::smallest_capable);
  CHECK(reg.policy.breaker.window == 20);
  CHECK(reg.policy.preferred_vendors.empty());
  for (const auto& p : reg.preferences)
    CHECK(p.preferred.empty());
}

TEST_CASE("task preferences and policy values are read", "[config]") {
  auto text = std::string{minimal} + R"(task_preferences:
  code_generation: {preferred: [big, small], budget: [small]}
policy:
  prefer_local: false
  max_cost_per_task_usd: 0.5
  quality_by_tier: {complex: 0.9}
  consensus: voting
  selection: gain_per_cost
  success_value_usd: 0.05
  preferred_vendors: [cloud]
  breaker: {window: 40, cooldown_ms: 1000}
  retry: {jitter: 0, max_retries: 0}
)";
  auto result = parse(text);
  for (const auto& e : result.errors)
    FAIL(e.to_string());
  REQUIRE(result.registry);
  const auto& reg = *result.registry;
  const auto& code = reg.preferences[static_cast<std::size_t>(
    engine::task_type::code_generation)];
  CHECK(code.preferred == std::vector<std::uint16_t>{1, 0});
  CHECK(code.budget == std::vector<std::uint16_t>{0});
  CHECK_FALSE(reg.policy.prefer_local);
  CHECK(reg.policy.max_cost_per_task_usd == 0.5);
  CHECK(reg.policy.quality_by_tier[2] == 0.9);
  CHECK(reg.policy.quality_by_tier[3] == 0.93);
  CHECK(reg.policy.default_consensus == engine::consensus_strategy::voting);
  CHECK(reg.policy.selection == engine::selection_mode::gain_per_cost);
  CHECK(reg.policy.success_value_usd == 0.05);
  CHECK(reg.policy.preferred_vendors == std::vector<std::string>{"cloud"});
  CHECK(reg.policy.breaker.window == 40);
  CHECK(reg.policy.breaker.min_calls == 10);
  CHECK(reg.policy.breaker.cooldown == std::chrono::milliseconds{1000});
  CHECK(reg.policy.retry.jitter == 0.0);
  CHECK(reg.policy.retry.max_retries == 0);
}

// -- interpolation
// --------------------------------------------------------------

TEST_CASE("${VAR} and ${VAR:-default} interpolate every string", "[config]") {
  auto text = edit(minimal, "base_url: https://api.example.com/v1",
                   "base_url: ${CLOUD_URL}");
  text = edit(text, "upstream: small:1b", "upstream: ${SMALL:-small:7b}");
  text = edit(text, "quality: 0.9", "quality: ${BIG_QUALITY:-0.8}");

  SECTION("set variables and defaults") {
    auto result = parse(text, fake_env({{"CLOUD_URL", "http://sim:9000/v1"}}));
    REQUIRE(result.errors.empty());
    const auto& reg = *result.registry;
    CHECK(reg.providers[1].base_url == "http://sim:9000/v1");
    CHECK(reg.models[0].upstream == "small:7b");
    CHECK(reg.models[1].quality == 0.8);
  }

  SECTION("a set variable wins over the default; an empty one does not") {
    auto result = parse(text, fake_env({{"CLOUD_URL", "http://sim/v1"},
                                        {"SMALL", "tiny"},
                                        {"BIG_QUALITY", ""}}));
    REQUIRE(result.errors.empty());
    CHECK(result.registry->models[0].upstream == "tiny");
    CHECK(result.registry->models[1].quality == 0.8);
  }

  SECTION("an unset variable without a default names the variable") {
    CHECK(only_error(text)
          == "models.yaml:9: providers.cloud.base_url: environment variable "
             "CLOUD_URL is not set and '${CLOUD_URL}' has no default; set it "
             "or write '${CLOUD_URL:-default}'");
  }

  SECTION("an environment value never appears in an error") {
    auto env = fake_env(
      {{"CLOUD_URL", "ftp://hunter2@example.com"}, {"BIG_QUALITY", "s3cr3t"}});
    auto errors = errors_of(text, env);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0]
          == "models.yaml:9: providers.cloud.base_url: must start with "
             "http:// or https:// and name a host, got '${CLOUD_URL}' (after "
             "interpolation)");
    CHECK(errors[1]
          == "models.yaml:24: models[1].quality: must be a number, got "
             "'${BIG_QUALITY:-0.8}' (after interpolation) (model 'big')");
    for (const auto& e : errors) {
      CHECK_THAT(e, !Contains("hunter2"));
      CHECK_THAT(e, !Contains("s3cr3t"));
    }
  }

  SECTION("an unterminated ${ is refused") {
    auto broken = edit(text, "${SMALL:-small:7b}", "${SMALL:-small:7b");
    CHECK(only_error(broken, fake_env({{"CLOUD_URL", "http://x"}}))
          == "models.yaml:14: models[0].upstream: unterminated '${' (no "
             "closing '}'); write '${NAME}' or '${NAME:-default}' (model "
             "'small')");
  }
}

TEST_CASE("interpolate() on its own", "[config]") {
  auto env = fake_env({{"A", "x"}, {"EMPTY", ""}});
  CHECK(interpolate("plain $text $5", env).value == "plain $text $5");
  CHECK_FALSE(interpolate("plain", env).substituted);
  CHECK(interpolate("${A}-${A}", env).value == "x-x");
  CHECK(interpolate("${A}", env).substituted);
  CHECK(interpolate("${B:-}", env).value.empty());
  CHECK(interpolate("${EMPTY:-d}", env).value == "d");
  CHECK(interpolate("${EMPTY}", env).value.empty());
  CHECK(interpolate("$${A}", env).value == "${A}");
  auto bad = interpolate("${1A} ${A B} ${A:-${B}}", env);
  CHECK(bad.problems.size() == 3);
  auto unset = interpolate("a ${NOPE} b", env);
  REQUIRE(unset.problems.size() == 1);
  CHECK_THAT(unset.problems[0], Contains("NOPE is not set"));
  CHECK(unset.value == "a ${NOPE} b");
}

// -- malformed documents
// --------------------------------------------------------

TEST_CASE("broken YAML reports the line yaml-cpp stopped at", "[config]") {
  auto text = edit(minimal, "    quality: 0.9\n",
                   "    quality: 0.9\n   oops: 1\n");
  CHECK(only_error(text)
        == "models.yaml:25: invalid YAML: end of sequence not found");

  auto flow = edit(minimal, "capabilities: [tools, json]",
                   "capabilities: [tools, json");
  CHECK_THAT(only_error(flow), StartsWith("models.yaml:21: invalid YAML: "));

  auto map_value = edit(minimal, "  local:\n    kind: ollama",
                        "  local:\n    kind: ollama\n  base: x: y");
  CHECK_THAT(only_error(map_value), StartsWith("models.yaml:5: invalid YAML"));
}

TEST_CASE("empty documents and wrong top-level shapes", "[config]") {
  CHECK(only_error("")
        == "models.yaml:1: the file holds no YAML document; expected a "
           "mapping with 'providers' and 'models'");
  CHECK(only_error("- a\n- b\n")
        == "models.yaml:1: must be a mapping, got a list");
  auto errors = errors_of("version: 1\n");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == "models.yaml:1: providers: missing required key");
  CHECK(errors[1] == "models.yaml:1: models: missing required key");
  CHECK(only_error(edit(minimal, "version: 1", "version: 2"))
        == "models.yaml:1: version: unsupported version 2; this build reads "
           "version 1");
  CHECK_THAT(only_error(std::string{minimal} + "---\nversion: 1\n"),
             StartsWith("models.yaml:31: only one YAML document is allowed"));
}

// -- unknown keys, types and ranges
// ---------------------------------------------

TEST_CASE("unknown keys are refused with the nearest valid key", "[config]") {
  CHECK(only_error(edit(minimal, "    quality: 0.9", "    qualty: 0.9"))
        == "models.yaml:24: models[1].qualty: unknown key; did you mean "
           "'quality'? (model 'big')");
  CHECK(only_error(edit(minimal, "    local: true", "    locl: true"))
        == "models.yaml:6: providers.local.locl: unknown key; did you mean "
           "'local'?");
  CHECK(only_error(edit(minimal, "models:", "modles:"))
        == "models.yaml:11: modles: unknown key; did you mean 'models'?");
  CHECK(only_error(edit(minimal, "{input: 0, output: 0}",
                        "{input: 0, output: 0, cached: 0}"))
        == "models.yaml:16: models[0].cost_per_1k.cached: unknown key; "
           "allowed: input, output (model 'small')");
  CHECK(only_error(with_policy("  breaker: {windw: 30}\n"))
        == "models.yaml:31: policy.breaker.windw: unknown key; did you mean "
           "'window'?");
  CHECK(only_error(std::string{minimal}
                   + "task_preferences:\n  code_gen: {preferred: [big]}\n")
        == "models.yaml:31: task_preferences.code_gen: unknown task type; "
           "allowed: code_generation, code_review, testing, refactoring, "
           "reasoning, planning, analysis, security_audit, documentation, "
           "tool_use, multimodal, long_context, general");
  CHECK(only_error(std::string{minimal}
                   + "task_preferences:\n  testng: {preferred: [big]}\n")
        == "models.yaml:31: task_preferences.testng: unknown task type; did "
           "you mean 'testing'? allowed: code_generation, code_review, "
           "testing, refactoring, reasoning, planning, analysis, "
           "security_audit, documentation, tool_use, multimodal, "
           "long_context, general");
}

TEST_CASE("wrong types name the line and the field", "[config]") {
  CHECK(only_error(edit(minimal, "quality: 0.9", "quality: high"))
        == "models.yaml:24: models[1].quality: must be a number, got 'high' "
           "(model 'big')");
  CHECK(only_error(edit(minimal, "context_window: 8192", "context_window: 8k"))
        == "models.yaml:17: models[0].context_window: must be a whole number, "
           "got '8k' (model 'small')");
  CHECK(only_error(edit(minimal, "local: true", "local: maybe"))
        == "models.yaml:6: providers.local.local: must be true or false, got "
           "'maybe'");
  CHECK(only_error(
          edit(minimal, "capabilities: [tools, json]", "capabilities: tools"))
        == "models.yaml:20: models[0].capabilities: must be a list of "
           "capabilities (vision, tools, json, streaming, reasoning, code), "
           "got 'tools' (model 'small')");
  CHECK(only_error(edit(minimal, "upstream: big-2025", "upstream: [a, b]"))
        == "models.yaml:23: models[1].upstream: must be a string, got a list "
           "(model 'big')");
  CHECK(only_error(edit(minimal, "p50_latency_ms: 900", "p50_latency_ms:"))
        == "models.yaml:27: models[1].p50_latency_ms: must be a number, got "
           "nothing (model 'big')");
  CHECK(only_error(with_policy("  retry: 3\n"))
        == "models.yaml:31: policy.retry: must be a mapping, got '3'");
}

TEST_CASE("values out of range are refused with what is allowed", "[config]") {
  CHECK(only_error(edit(minimal, "quality: 0.9", "quality: 1.2"))
        == "models.yaml:24: models[1].quality: must be in [0, 1], got '1.2' "
           "(model 'big')");
  CHECK(only_error(edit(minimal, "output: 0.015", "output: -0.015"))
        == "models.yaml:25: models[1].cost_per_1k.output: must be >= 0, got "
           "'-0.015' (model 'big')");
  CHECK(only_error(edit(minimal, "context_window: 8192", "context_window: 0"))
        == "models.yaml:17: models[0].context_window: must be in [1, "
           "4294967295], got '0' (model 'small')");
  CHECK(
    only_error(edit(minimal, "tokens_per_second: 50", "tokens_per_second: 0"))
    == "models.yaml:19: models[0].tokens_per_second: must be > 0, got '0' "
       "(model 'small')");
  CHECK(only_error(edit(minimal, "p50_latency_ms: 100", "p50_latency_ms: -1"))
        == "models.yaml:18: models[0].p50_latency_ms: must be >= 0, got '-1' "
           "(model 'small')");
  CHECK(only_error(edit(minimal, "base_url: http://127.0.0.1:11434",
                        "base_url: 127.0.0.1:11434"))
        == "models.yaml:5: providers.local.base_url: must start with http:// "
           "or https:// and name a host, got '127.0.0.1:11434'");

  CHECK(only_error(with_policy("  max_cost_per_task_usd: 0\n"))
        == "models.yaml:31: policy.max_cost_per_task_usd: must be > 0, got "
           "'0'");
  CHECK(only_error(with_policy("  success_value_usd: 0\n"))
        == "models.yaml:31: policy.success_value_usd: must be > 0, got '0'");
  CHECK(only_error(with_policy("  quality_by_tier: {simple: 1.5}\n"))
        == "models.yaml:31: policy.quality_by_tier.simple: must be in [0, 1], "
           "got '1.5'");
  CHECK(only_error(with_policy("  quality_by_tier: {complex: 0.6}\n"))
        == "models.yaml:31: policy.quality_by_tier.complex: must be >= "
           "moderate (quality requirements must not fall as complexity "
           "rises)");
  CHECK(only_error(with_policy("  breaker:\n    failure_rate: 0\n"))
        == "models.yaml:32: policy.breaker.failure_rate: must be in (0, 1], "
           "got '0'");
  CHECK(only_error(with_policy("  breaker:\n    window: 5\n"))
        == "models.yaml:32: policy.breaker.window: window (5) must be >= "
           "min_calls (10): a smaller window never holds enough calls to "
           "trip");
  CHECK(only_error(with_policy("  breaker:\n    min_calls: 0\n"))
        == "models.yaml:32: policy.breaker.min_calls: must be in [1, "
           "4294967295], got '0'");
  CHECK(only_error(with_policy(
          "  breaker:\n    cooldown_ms: 600000\n    max_cooldown_ms: 60000\n"))
        == "models.yaml:33: policy.breaker.max_cooldown_ms: max_cooldown_ms "
           "(60000) must be >= cooldown_ms (600000)");
  CHECK(only_error(with_policy("  retry:\n    jitter: 1\n"))
        == "models.yaml:32: policy.retry.jitter: must be in [0, 1), got '1'");
  CHECK(only_error(with_policy("  retry: {initial_backoff_ms: 9000}\n"))
        == "models.yaml:31: policy.retry.initial_backoff_ms: max_backoff_ms "
           "(5000) must be >= initial_backoff_ms (9000)");
}

TEST_CASE("unknown names are refused with the allowed list", "[config]") {
  CHECK(only_error(edit(minimal, "kind: openai", "kind: opnai"))
        == "models.yaml:8: providers.cloud.kind: unknown kind 'opnai'; did "
           "you mean 'openai'? allowed: openai, anthropic, gemini, cohere, "
           "ollama");
  CHECK(only_error(edit(minimal, "capabilities: [tools, json]",
                        "capabilities: [tools, telepathy]"))
        == "models.yaml:20: models[0].capabilities[1]: unknown capability "
           "'telepathy'; allowed: vision, tools, json, streaming, reasoning, "
           "code (model 'small')");
  CHECK(only_error(with_policy("  consensus: majority\n"))
        == "models.yaml:31: policy.consensus: unknown consensus strategy "
           "'majority'; allowed: judge, quality_weighted, voting, "
           "first_success");
  CHECK(only_error(with_policy("  selection: cheapest\n"))
        == "models.yaml:31: policy.selection: unknown selection mode "
           "'cheapest'; allowed: smallest_capable, gain_per_cost, utility");
}

TEST_CASE("references must name something defined", "[config]") {
  CHECK(only_error(edit(minimal, "provider: cloud", "provider: clod"))
        == "models.yaml:22: models[1].provider: unknown provider 'clod'; did "
           "you mean 'cloud'? (model 'big')");
  CHECK(only_error(edit(minimal, "provider: cloud", "provider: openai"))
        == "models.yaml:22: models[1].provider: unknown provider 'openai'; "
           "defined: local, cloud (model 'big')");
  CHECK(only_error(std::string{minimal}
                   + "task_preferences:\n  testing:\n    preferred: [smal]\n")
        == "models.yaml:32: task_preferences.testing.preferred[0]: unknown "
           "model 'smal'; did you mean 'small'?");
  CHECK(only_error(with_policy("  preferred_vendors: [cloud, lokal]\n"))
        == "models.yaml:31: policy.preferred_vendors[1]: unknown provider "
           "'lokal'; did you mean 'local'?");
}

TEST_CASE("duplicate ids and missing fields are refused", "[config]") {
  CHECK(only_error(edit(minimal, "- id: big", "- id: small"))
        == "models.yaml:21: models[1].id: duplicate model id 'small'; first "
           "defined at line 12 (model 'small')");
  auto twice = edit(minimal, "  cloud:\n", "  local:\n");
  CHECK(only_error(edit(twice, "provider: cloud", "provider: local"))
        == "models.yaml:7: providers.local: duplicate provider id 'local'; "
           "first defined at line 3");
  CHECK(only_error(edit(minimal, "    upstream: big-2025\n", ""))
        == "models.yaml:21: models[1].upstream: missing required key (model "
           "'big')");
  CHECK(
    only_error(edit(minimal, "{input: 0.003, output: 0.015}", "{input: 0.003}"))
    == "models.yaml:25: models[1].cost_per_1k.output: missing required "
       "key (model 'big')");
  CHECK(only_error(edit(minimal, "    kind: ollama\n", ""))
        == "models.yaml:3: providers.local.kind: missing required key");
  CHECK(only_error(edit(minimal, "    quality: 0.9\n",
                        "    quality: 0.9\n    quality: 0.8\n"))
        == "models.yaml:25: models[1].quality: duplicate key; first given at "
           "line 24 (model 'big')");
}

TEST_CASE("api_key_env is a name, and a pasted key is never echoed",
          "[config]") {
  auto error = only_error(edit(minimal, "api_key_env: EXAMPLE_API_KEY",
                               "api_key_env: sk-live-0123456789"));
  CHECK(error
        == "models.yaml:10: providers.cloud.api_key_env: must be the name of "
           "the environment variable that holds the key (letters, digits and "
           "'_'), not the key itself");
  CHECK_THAT(error, !Contains("sk-live"));
}

TEST_CASE("every error is reported in one pass, ordered by line", "[config]") {
  auto text = edit(minimal, "kind: openai", "kind: opnai");
  text = edit(text, "quality: 0.5", "quality: 5");
  text = edit(text, "provider: cloud", "provider: nowhere");
  text = edit(text, "tokens_per_second: 80", "tokens_per_secnd: 80");
  text += "policy:\n  jitter: 0.1\n  retry: {jitter: 2}\n";
  auto errors = errors_of(text);
  REQUIRE(errors.size() == 6);
  CHECK_THAT(errors[0], StartsWith("models.yaml:8: providers.cloud.kind:"));
  CHECK_THAT(errors[1], StartsWith("models.yaml:15: models[0].quality:"));
  CHECK_THAT(errors[2], StartsWith("models.yaml:22: models[1].provider:"));
  CHECK_THAT(errors[3],
             StartsWith("models.yaml:28: models[1].tokens_per_secnd: unknown "
                        "key; did you mean 'tokens_per_second'?"));
  CHECK_THAT(errors[4], StartsWith("models.yaml:31: policy.jitter: unknown "
                                   "key; allowed: "));
  CHECK(errors[5]
        == "models.yaml:32: policy.retry.jitter: must be in [0, 1), got '2'");
}

// -- the hash
// -------------------------------------------------------------------

TEST_CASE("config_hash is stable and follows the interpolated text",
          "[config]") {
  auto a = parse(minimal);
  auto b = parse(minimal);
  REQUIRE(a.registry);
  REQUIRE(b.registry);
  CHECK(a.registry->config_hash == b.registry->config_hash);
  CHECK(a.registry->config_hash == fnv1a_64(minimal));

  auto changed = parse(edit(minimal, "quality: 0.9", "quality: 0.91"));
  REQUIRE(changed.registry);
  CHECK(changed.registry->config_hash != a.registry->config_hash);

  auto templated = edit(minimal, "upstream: big-2025",
                        "upstream: ${BIG:-big-2025}");
  auto with_default = parse(templated);
  auto with_env = parse(templated, fake_env({{"BIG", "big-2026"}}));
  REQUIRE(with_default.registry);
  REQUIRE(with_env.registry);
  // Interpolated to the same text as `minimal`: the same hash.
  CHECK(with_default.registry->config_hash == a.registry->config_hash);
  CHECK(with_env.registry->config_hash != a.registry->config_hash);
}

// -- files
// ----------------------------------------------------------------------

namespace {

/// A file under the temp directory, removed at scope exit.
class temp_file {
 public:
  explicit temp_file(std::string_view content) {
    path_
      = (std::filesystem::temp_directory_path()
         / ("switchyard_registry_test_" + std::to_string(::getpid()) + ".yaml"))
          .string();
    std::ofstream out{path_, std::ios::binary};
    out << content;
  }

  ~temp_file() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }

  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;

  const std::string& path() const {
    return path_;
  }

 private:
  std::string path_;
};

} // namespace

TEST_CASE("load_registry_file reads a file and names it in errors",
          "[config]") {
  SECTION("a valid file") {
    temp_file file{minimal};
    auto result = load_registry_file(file.path(), fake_env());
    REQUIRE(result.errors.empty());
    REQUIRE(result.registry);
    CHECK(result.registry->models.size() == 2);
    CHECK(result.registry->config_hash == fnv1a_64(minimal));
  }

  SECTION("errors carry the path as the file") {
    temp_file file{edit(minimal, "quality: 0.9", "quality: 2")};
    auto result = load_registry_file(file.path(), fake_env());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].file == file.path());
    CHECK(result.errors[0].line == 24);
    CHECK(result.errors[0].field == "models[1].quality");
    CHECK(result.errors[0].to_string()
          == file.path()
               + ":24: models[1].quality: must be in [0, 1], got '2' (model "
                 "'big')");
  }

  SECTION("a missing file") {
    const std::string path = "/nonexistent/switchyard/models.yaml";
    auto result = load_registry_file(path, fake_env());
    CHECK_FALSE(result.registry);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].to_string()
          == path + ": cannot open: No such file or directory");
  }

  SECTION("a directory") {
    auto dir = std::filesystem::temp_directory_path().string();
    auto result = load_registry_file(dir, fake_env());
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].to_string() == dir + ": is a directory, not a file");
  }
}

TEST_CASE("load_registry returns invalid_config with every message",
          "[config]") {
  // Neither file refers to the environment, so the process environment that
  // load_registry reads cannot change the outcome.
  SECTION("missing file") {
    auto reg = load_registry("/nonexistent/models.yaml");
    REQUIRE_FALSE(reg);
    CHECK(reg.error().code()
          == static_cast<std::uint8_t>(error_code::invalid_config));
    CHECK(reg.error().category() == caf::atom("switchyard"));
    CHECK(error_message(reg.error())
          == "/nonexistent/models.yaml: cannot open: No such file or "
             "directory");
  }

  SECTION("several errors, one per line") {
    auto text = edit(minimal, "quality: 0.9", "quality: 2");
    text = edit(text, "quality: 0.5", "quality: -1");
    temp_file file{text};
    auto reg = load_registry(file.path());
    REQUIRE_FALSE(reg);
    auto message = error_message(reg.error());
    CHECK(message
          == file.path()
               + ":15: models[0].quality: must be in [0, 1], got '-1' (model "
                 "'small')\n"
               + file.path()
               + ":24: models[1].quality: must be in [0, 1], got '2' (model "
                 "'big')");
  }

  SECTION("a valid file") {
    temp_file file{minimal};
    auto reg = load_registry(file.path());
    REQUIRE(reg);
    CHECK(reg->models.size() == 2);
  }
}

// -- helpers
// --------------------------------------------------------------------

TEST_CASE("nearest_name suggests plausible typos only", "[config]") {
  constexpr std::array names{"quality"sv, "provider"sv, "id"sv, "kind"sv};
  CHECK(nearest_name("qualty", names) == "quality"sv);
  CHECK(nearest_name("Quality", names) == "quality"sv);
  CHECK(nearest_name("provder", names) == "provider"sv);
  CHECK_FALSE(nearest_name("xy", names));
  CHECK_FALSE(nearest_name("colour", names));
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
}

TEST_CASE("config_error renders file:line: field: message", "[config]") {
  CHECK(config_error{"f.yaml", 3, "a.b", "bad"}.to_string()
        == "f.yaml:3: a.b: bad");
  CHECK(config_error{"f.yaml", 0, "", "gone"}.to_string() == "f.yaml: gone");
  CHECK(config_error{"f.yaml", 7, "", "broken"}.to_string()
        == "f.yaml:7: broken");
}

// -- the server section ---------------------------------------------------------

TEST_CASE("server.max_connections is read, defaults to 10000 and is checked",
          "[config]") {
  auto plain = parse(minimal);
  REQUIRE(plain.registry);
  CHECK(plain.registry->server.max_connections == 10'000);
  auto set = parse(std::string{minimal} + "server:\n  max_connections: 250\n");
  for (const auto& e : set.errors)
    FAIL(e.to_string());
  REQUIRE(set.registry);
  CHECK(set.registry->server.max_connections == 250);
  auto bad = only_error(std::string{minimal}
                        + "server:\n  max_connections: -3\n");
  CHECK_THAT(bad, Contains("max_connections"));
  auto unknown = only_error(std::string{minimal}
                            + "server:\n  max_conections: 3\n");
  CHECK_THAT(unknown, Contains("max_connections"));
}

// -- the cluster section
// ------------------------------------------------------

TEST_CASE("the cluster section is read with the flags' names", "[config]") {
  auto result = parse(std::string{minimal}
                      + "cluster:\n"
                        "  node_id: ${NODE:-a}\n"
                        "  listen: 10.0.0.5:7001\n"
                        "  seeds: [10.0.0.6:7001, 'node-c.internal:7001']\n"
                        "  tls:\n"
                        "    cert: /etc/switchyard/node.pem\n"
                        "    key: /etc/switchyard/node.key\n"
                        "    ca: /etc/switchyard/ca.pem\n",
                      fake_env({{"NODE", "b"}}));
  INFO(result.errors.size());
  REQUIRE(result.registry.has_value());
  const auto& c = result.registry->cluster;
  CHECK(c.node_id == "b");
  CHECK(c.listen == "10.0.0.5:7001");
  CHECK(c.seeds
        == std::vector<std::string>{"10.0.0.6:7001", "node-c.internal:7001"});
  CHECK(c.tls_cert == "/etc/switchyard/node.pem");
  CHECK(c.tls_key == "/etc/switchyard/node.key");
  CHECK(c.tls_ca == "/etc/switchyard/ca.pem");

  auto without = parse(minimal);
  REQUIRE(without.registry.has_value());
  CHECK(without.registry->cluster.node_id.empty());
  CHECK(without.registry->cluster.seeds.empty());
}

TEST_CASE("bad cluster values name the file, line and field", "[config]") {
  auto with_cluster = [](std::string_view body) {
    // The section's first key lands on line 31.
    return std::string{minimal} + "cluster:\n" + std::string{body};
  };
  CHECK(only_error(with_cluster("  listen: 7001\n"))
        == "models.yaml:31: cluster.listen: must be HOST:PORT (port "
           "0-65535), got '7001'");
  CHECK(only_error(with_cluster("  listen: host:70000\n"))
        == "models.yaml:31: cluster.listen: must be HOST:PORT (port "
           "0-65535), got 'host:70000'");
  CHECK(only_error(with_cluster("  node_id: a\n  seeds:\n    - 10.0.0.6:7001\n"
                                "    - 10.0.0.7\n"))
        == "models.yaml:34: cluster.seeds[1]: must be HOST:PORT (port "
           "0-65535), got '10.0.0.7'");
  CHECK(only_error(with_cluster("  seeds: 10.0.0.6:7001\n"))
        == "models.yaml:31: cluster.seeds: must be a list of HOST:PORT, got "
           "'10.0.0.6:7001'");
  CHECK(only_error(with_cluster("  node_id: 'node a'\n"))
        == "models.yaml:31: cluster.node_id: must be a name without '=', ',', "
           "'#' or spaces, got 'node a'");
  CHECK(only_error(with_cluster("  node_id: a\n  tls:\n    cert: n.pem\n"
                                "    key: n.key\n"))
        == "models.yaml:32: cluster.tls: needs all of cert, key and ca (PEM "
           "files), or none");
  CHECK_THAT(only_error(with_cluster("  node_id: a\n  seed: [h:1]\n")),
             StartsWith("models.yaml:32: cluster.seed: unknown")
               && Contains("seeds"));
  CHECK_THAT(only_error(with_cluster("  tls: {cert: a, key: b, cafile: c}\n")),
             StartsWith("models.yaml:31: cluster.tls.cafile: unknown"));
}

// -- the store -------------------------------------------------------------------

TEST_CASE("the storage section is read, and bad values name the file, line "
          "and field",
          "[config][storage]") {
  auto with_storage = [](std::string_view body) {
    // The section's first key lands on line 31.
    return std::string{minimal} + "storage:\n" + std::string{body};
  };
  auto read = parse(with_storage("  prompts: hash\n  max_bytes: 20000000000\n"
                                 "  decision_log_queue: 4096\n"));
  REQUIRE(read.registry);
  CHECK(read.registry->storage.prompts == std::optional<std::string>{"hash"});
  CHECK(read.registry->storage.max_bytes
        == std::optional<std::uint64_t>{20'000'000'000});
  CHECK(read.registry->storage.decision_log_queue
        == std::optional<std::uint32_t>{4096});
  auto none = parse(minimal);
  REQUIRE(none.registry);
  CHECK_FALSE(none.registry->storage.prompts);
  CHECK_FALSE(none.registry->storage.max_bytes);
  CHECK(only_error(with_storage("  prompts: everything\n"))
        == "models.yaml:31: storage.prompts: must be full, hash or none, got "
           "'everything'");
  CHECK_THAT(only_error(with_storage("  max_bytes: -1\n")),
             StartsWith("models.yaml:31: storage.max_bytes:"));
  CHECK_THAT(only_error(with_storage("  decision_log_queue: 0\n")),
             StartsWith("models.yaml:31: storage.decision_log_queue:"));
  CHECK_THAT(only_error(with_storage("  prompt: full\n")),
             StartsWith("models.yaml:31: storage.prompt: unknown"));
}

// -- health checks per provider ------------------------------------------------

TEST_CASE("a provider's health: settings are read and validated",
          "[config][health]") {
  auto text = edit(minimal, "    local: true\n",
                   "    local: true\n"
                   "    health: {probe: true, interval_s: 5, timeout_s: 0.5}\n");
  text = edit(text, "    api_key_env: EXAMPLE_API_KEY\n",
              "    api_key_env: EXAMPLE_API_KEY\n"
              "    health:\n"
              "      probe: false\n");
  auto result = parse(text);
  INFO(joined([&] {
    std::vector<std::string> out;
    for (const auto& e : result.errors)
      out.push_back(e.to_string());
    return out;
  }()));
  REQUIRE(result.registry);
  auto health = read_provider_health(text, fake_env());
  REQUIRE(health.size() == 2);
  CHECK(health["local"].probe);
  CHECK(health["local"].interval_s == 5.0);
  CHECK(health["local"].timeout_s == 0.5);
  CHECK_FALSE(health["cloud"].probe);
  CHECK_FALSE(health["cloud"].interval_s);

  auto bad = edit(minimal, "    local: true\n",
                  "    local: true\n"
                  "    health: {probe: maybe, interval_s: 0, every: 3}\n");
  auto errors = errors_of(bad);
  auto all = joined(errors);
  CHECK_THAT(all, Contains("models.yaml:7: providers.local.health.probe: "
                           "must be true or false"));
  CHECK_THAT(all, Contains("providers.local.health.interval_s"));
  CHECK_THAT(all, Contains("providers.local.health.every"));
}

// -- execution plans and hedged ensembles --------------------------------------

TEST_CASE("the plans section is read, and absent keys keep their defaults",
          "[config][plans]") {
  auto defaults = parse(minimal);
  REQUIRE(defaults.registry);
  const auto& none = defaults.registry->plans;
  CHECK(none.critic_threshold == 0.7);
  CHECK(none.max_revisions == 1);
  CHECK_FALSE(none.escalate_below_quality);
  for (const auto& roles : none.roles)
    CHECK(roles.empty());

  auto result = parse(std::string{minimal} + R"(plans:
  critic_threshold: 0.8
  max_revisions: 0
  escalate_below_quality: 0.6
  roles:
    code_generation:
      - name: research
        prompt: "Find what the change must fit."
      - {name: implementation, prompt: Write the code.}
    security_audit:
      - name: threats
        prompt: ${THREATS:-List the threats.}
)");
  for (const auto& e : result.errors)
    FAIL(e.to_string());
  REQUIRE(result.registry);
  const auto& plans = result.registry->plans;
  CHECK(plans.critic_threshold == 0.8);
  CHECK(plans.max_revisions == 0);
  CHECK(plans.escalate_below_quality == std::optional<double>{0.6});
  const auto& code
    = plans.roles[static_cast<std::size_t>(engine::task_type::code_generation)];
  REQUIRE(code.size() == 2);
  CHECK(code[0].name == "research");
  CHECK(code[0].prompt == "Find what the change must fit.");
  CHECK(code[1].name == "implementation");
  CHECK(code[1].prompt == "Write the code.");
  const auto& audit
    = plans.roles[static_cast<std::size_t>(engine::task_type::security_audit)];
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].prompt == "List the threats.");
  CHECK(plans.roles[static_cast<std::size_t>(engine::task_type::testing)]
          .empty());
}

TEST_CASE("bad plans values name the file, line and field",
          "[config][plans]") {
  auto with_plans = [](std::string_view body) {
    // The section's first key lands on line 31.
    return std::string{minimal} + "plans:\n" + std::string{body};
  };
  CHECK(only_error(with_plans("  critic_threshold: 1.5\n"))
        == "models.yaml:31: plans.critic_threshold: must be in [0, 1], got "
           "'1.5'");
  CHECK(only_error(with_plans("  max_revisions: 6\n"))
        == "models.yaml:31: plans.max_revisions: must be in [0, 5], got '6'");
  CHECK(only_error(with_plans("  escalate_below_quality: -0.1\n"))
        == "models.yaml:31: plans.escalate_below_quality: must be in [0, 1], "
           "got '-0.1'");
  CHECK(only_error(with_plans("  critic_treshold: 0.5\n"))
        == "models.yaml:31: plans.critic_treshold: unknown key; did you mean "
           "'critic_threshold'?");
  CHECK(only_error(with_plans("  roles:\n    testng:\n      - {name: a, "
                              "prompt: b}\n"))
        == "models.yaml:32: plans.roles.testng: unknown task type; did you "
           "mean 'testing'? allowed: code_generation, code_review, testing, "
           "refactoring, reasoning, planning, analysis, security_audit, "
           "documentation, tool_use, multimodal, long_context, general");
  CHECK(only_error(with_plans("  roles:\n    testing: []\n"))
        == "models.yaml:32: plans.roles.testing: must list at least one role; "
           "leave the task type out for the default roles");
  CHECK(only_error(with_plans("  roles:\n    testing: {name: a}\n"))
        == "models.yaml:32: plans.roles.testing: must be a list of roles "
           "(name, prompt), got a mapping");
  CHECK(only_error(with_plans("  roles:\n    testing:\n      - name: a\n"
                              "        prompt: b\n      - name: a\n"
                              "        prompt: c\n"))
        == "models.yaml:35: plans.roles.testing[1].name: duplicate role 'a'; "
           "first given at line 33");
  CHECK(only_error(with_plans("  roles:\n    testing:\n      - name: ''\n"
                              "        prompt: b\n"))
        == "models.yaml:33: plans.roles.testing[0].name: must not be empty");
  CHECK(only_error(with_plans("  roles:\n    testing:\n      - name: a\n"))
        == "models.yaml:33: plans.roles.testing[0].prompt: missing required "
           "key");
  CHECK_THAT(only_error(with_plans("  roles:\n    testing:\n      - name: a\n"
                                   "        prompt: b\n        model: c\n")),
             StartsWith("models.yaml:35: plans.roles.testing[0].model: "
                        "unknown key"));
}

TEST_CASE("the hedged-ensemble policy is read and checked",
          "[config][ensemble]") {
  auto defaults = parse(minimal);
  REQUIRE(defaults.registry);
  CHECK(defaults.registry->policy.ensemble_quorum == 0);
  CHECK(defaults.registry->policy.ensemble_member_timeout_s == 30.0);
  CHECK(defaults.registry->policy.hedge_latency_factor == 3.0);

  auto set = parse(with_policy("  ensemble_quorum: 2\n"
                               "  ensemble_member_timeout_s: 12.5\n"
                               "  hedge_latency_factor: 2\n"));
  for (const auto& e : set.errors)
    FAIL(e.to_string());
  REQUIRE(set.registry);
  CHECK(set.registry->policy.ensemble_quorum == 2);
  CHECK(set.registry->policy.ensemble_member_timeout_s == 12.5);
  CHECK(set.registry->policy.hedge_latency_factor == 2.0);

  CHECK(only_error(with_policy("  ensemble_quorum: 9\n"))
        == "models.yaml:31: policy.ensemble_quorum: must be in [0, 8], got "
           "'9'");
  CHECK(only_error(with_policy("  ensemble_quorum: 1.5\n"))
        == "models.yaml:31: policy.ensemble_quorum: must be a whole number, "
           "got '1.5'");
  CHECK(only_error(with_policy("  ensemble_member_timeout_s: 0\n"))
        == "models.yaml:31: policy.ensemble_member_timeout_s: must be in (0, "
           "86400], got '0'");
  CHECK(only_error(with_policy("  hedge_latency_factor: -1\n"))
        == "models.yaml:31: policy.hedge_latency_factor: must be > 0, got "
           "'-1'");
  CHECK_THAT(only_error(with_policy("  ensemble_qorum: 2\n")),
             StartsWith("models.yaml:31: policy.ensemble_qorum: unknown key; "
                        "did you mean 'ensemble_quorum'?"));
}
