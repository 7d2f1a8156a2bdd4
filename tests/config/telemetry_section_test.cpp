// The registry's `telemetry:` section: OpenTelemetry traces.

#include "switchyard/config/registry_loader.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <string_view>

using namespace switchyard;
using namespace switchyard::config;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

env_lookup fake_env(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](
           std::string_view name) -> std::optional<std::string> {
    if (auto it = vars.find(std::string{name}); it != vars.end())
      return it->second;
    return std::nullopt;
  };
}

/// A small valid registry; `telemetry:` goes on line 16, its first key on
/// line 17.
constexpr std::string_view minimal = R"(version: 1
providers:
  local:
    kind: ollama
    base_url: http://127.0.0.1:11434
models:
  - id: small
    provider: local
    upstream: small:1b
    quality: 0.5
    cost_per_1k: {input: 0, output: 0}
    context_window: 8192
    p50_latency_ms: 100
    tokens_per_second: 50
    capabilities: [tools]
)";

std::string with_telemetry(std::string_view body) {
  return std::string{minimal} + "telemetry:\n" + std::string{body};
}

registry_load_result parse(const std::string& text,
                           const env_lookup& env = fake_env()) {
  return parse_registry(text, "models.yaml", env);
}

std::string only_error(const std::string& text) {
  auto r = parse(text);
  REQUIRE_FALSE(r.registry);
  for (const auto& e : r.errors)
    UNSCOPED_INFO(e.to_string());
  REQUIRE(r.errors.size() == 1);
  return r.errors.front().to_string();
}

} // namespace

TEST_CASE("the telemetry section is read", "[config][telemetry]") {
  auto r = parse(with_telemetry("  otlp_endpoint: http://collector:4318\n"
                                "  service_name: switchyard-edge\n"
                                "  sample_ratio: 0.25\n"
                                "  propagate_to_providers: true\n"
                                "  capture_content: true\n"));
  REQUIRE(r.registry);
  const auto& t = r.registry->telemetry;
  CHECK(t.otlp_endpoint == std::optional<std::string>{"http://collector:4318"});
  CHECK(t.service_name == std::optional<std::string>{"switchyard-edge"});
  CHECK(t.sample_ratio == 0.25);
  CHECK(t.propagate_to_providers);
  CHECK(t.capture_content);
}

TEST_CASE("without the section, or with an empty endpoint, the defaults and "
          "the environment decide",
          "[config][telemetry]") {
  auto none = parse(std::string{minimal});
  for (const auto& e : none.errors)
    UNSCOPED_INFO(e.to_string());
  REQUIRE(none.registry);
  const auto& d = none.registry->telemetry;
  CHECK_FALSE(d.otlp_endpoint);
  CHECK_FALSE(d.service_name);
  CHECK(d.sample_ratio == 1.0);
  CHECK_FALSE(d.propagate_to_providers);
  CHECK_FALSE(d.capture_content);
  // "" is an explicit "off", kept apart from "unset".
  auto off = parse(with_telemetry("  otlp_endpoint: \"\"\n"));
  REQUIRE(off.registry);
  CHECK(off.registry->telemetry.otlp_endpoint == std::optional<std::string>{""});
  // ${VAR} works as everywhere.
  auto env = parse(with_telemetry("  otlp_endpoint: ${COLLECTOR:-http://c:4318}\n"),
                   fake_env({{"COLLECTOR", "https://otel.example.com"}}));
  REQUIRE(env.registry);
  CHECK(env.registry->telemetry.otlp_endpoint
        == std::optional<std::string>{"https://otel.example.com"});
}

TEST_CASE("bad telemetry values name the file, line and field",
          "[config][telemetry]") {
  CHECK(only_error(with_telemetry("  sample_ratio: 1.5\n"))
        == "models.yaml:17: telemetry.sample_ratio: must be in [0, 1], got "
           "'1.5'");
  CHECK_THAT(only_error(with_telemetry("  sample_ratio: -0.1\n")),
             StartsWith("models.yaml:17: telemetry.sample_ratio:"));
  CHECK_THAT(only_error(with_telemetry("  propagate_to_providers: maybe\n")),
             StartsWith("models.yaml:17: telemetry.propagate_to_providers:"));
  CHECK(only_error(with_telemetry("  otlp_endpoint: collector:4318\n"))
        == "models.yaml:17: telemetry.otlp_endpoint: must start with http:// "
           "or https:// and name a host, got 'collector:4318' (\"\" turns "
           "export off)");
  CHECK_THAT(only_error(with_telemetry(
               "  otlp_endpoint: http://c:4318/v1/traces?x=1\n")),
             StartsWith("models.yaml:17: telemetry.otlp_endpoint: must not "
                        "have a query"));
  CHECK_THAT(only_error(with_telemetry("  service_name: \"\"\n")),
             StartsWith("models.yaml:17: telemetry.service_name:"));
  CHECK_THAT(only_error(with_telemetry("  sample_rate: 0.5\n")),
             StartsWith("models.yaml:17: telemetry.sample_rate:"));
}

TEST_CASE("credentials in the endpoint are refused and never echoed",
          "[config][telemetry]") {
  auto error = only_error(with_telemetry(
    "  otlp_endpoint: https://user:hunter2@otel.example.com\n"));
  CHECK_THAT(error, StartsWith("models.yaml:17: telemetry.otlp_endpoint: "
                               "must not hold user info"));
  CHECK_THAT(error, !Contains("hunter2"));
}
