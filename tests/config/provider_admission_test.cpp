// A provider's admission limits (max_concurrency, max_queued): their
// defaults by where the provider runs, and their checks.

#include "switchyard/config/registry_loader.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

using namespace switchyard;
using namespace switchyard::config;

namespace {

/// One local and one remote provider; `local_extra` and `cloud_extra` are
/// appended to their entries (from line 7, and from line 10 when
/// `local_extra` is empty).
std::string registry_with(std::string_view local_extra,
                          std::string_view cloud_extra) {
  std::string text = "version: 1\n"
                     "providers:\n"
                     "  local:\n"
                     "    kind: ollama\n"
                     "    base_url: http://127.0.0.1:11434\n"
                     "    local: true\n";
  text += local_extra;
  text += "  cloud:\n"
          "    kind: anthropic\n"
          "    base_url: https://api.example.com\n";
  text += cloud_extra;
  text += "models:\n"
          "  - id: small\n"
          "    provider: local\n"
          "    upstream: small:1b\n"
          "    quality: 0.5\n"
          "    cost_per_1k: {input: 0, output: 0}\n"
          "    context_window: 8192\n"
          "    p50_latency_ms: 100\n"
          "    tokens_per_second: 50\n"
          "    capabilities: []\n";
  return text;
}

registry_load_result parse(const std::string& text) {
  return parse_registry(text, "models.yaml",
                        [](std::string_view) -> std::optional<std::string> {
                          return std::nullopt;
                        });
}

std::string only_error(const std::string& text) {
  auto r = parse(text);
  CHECK_FALSE(r.registry.has_value());
  REQUIRE(r.errors.size() == 1);
  return r.errors.front().to_string();
}

} // namespace

TEST_CASE("a remote provider admits many calls, a local server few",
          "[config][admission]") {
  auto r = parse(registry_with("", ""));
  for (const auto& e : r.errors)
    FAIL(e.to_string());
  REQUIRE(r.registry);
  const auto& local = r.registry->providers[0];
  const auto& cloud = r.registry->providers[1];
  CHECK(local.max_concurrency == engine::provider_spec::local_max_concurrency);
  CHECK(local.max_queued == engine::provider_spec::local_max_queued);
  CHECK(cloud.max_concurrency
        == engine::provider_spec::remote_max_concurrency);
  CHECK(cloud.max_queued == engine::provider_spec::remote_max_queued);
  CHECK(cloud.max_concurrency > 1000);
  CHECK(local.max_concurrency < 16);
}

TEST_CASE("an Ollama server gets the small defaults wherever it runs",
          "[config][admission]") {
  auto text = registry_with("", "");
  text.replace(text.find("    local: true\n"), 16, "");
  auto r = parse(text);
  for (const auto& e : r.errors)
    FAIL(e.to_string());
  REQUIRE(r.registry);
  CHECK_FALSE(r.registry->providers[0].local);
  CHECK(r.registry->providers[0].max_concurrency
        == engine::provider_spec::local_max_concurrency);
  CHECK(r.registry->providers[0].max_queued
        == engine::provider_spec::local_max_queued);
}

TEST_CASE("max_concurrency and max_queued are read in any order",
          "[config][admission]") {
  // `local: true` after the limits: the file's values still win.
  auto text = registry_with("", "    max_queued: 0\n    max_concurrency: 2\n");
  text.replace(text.find("    local: true\n"), 16,
               "    max_queued: 7\n    max_concurrency: 9\n    local: true\n");
  auto r = parse(text);
  for (const auto& e : r.errors)
    FAIL(e.to_string());
  REQUIRE(r.registry);
  CHECK(r.registry->providers[0].max_concurrency == 9);
  CHECK(r.registry->providers[0].max_queued == 7);
  CHECK(r.registry->providers[1].max_concurrency == 2);
  CHECK(r.registry->providers[1].max_queued == 0);
}

TEST_CASE("bad admission limits name the file, line and field",
          "[config][admission]") {
  CHECK(only_error(registry_with("", "    max_queued: -1\n"))
        == "models.yaml:10: providers.cloud.max_queued: must be in [0, "
           "4294967295], got '-1'");
  CHECK(only_error(registry_with("    max_concurrency: 0\n", ""))
        == "models.yaml:7: providers.local.max_concurrency: must be in [1, "
           "4294967295], got '0'");
  CHECK(only_error(registry_with("", "    max_queued: lots\n"))
        == "models.yaml:10: providers.cloud.max_queued: must be a whole number, "
           "got 'lots'");
  auto typo = only_error(registry_with("", "    max_queue: 3\n"));
  CHECK(typo.find("models.yaml:10") == 0);
  CHECK(typo.find("max_queued") != std::string::npos);
}
