#include "otlp_receiver.hpp"

#include "switchyard/clock/manual_time.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/telemetry/active_span.hpp"
#include "switchyard/telemetry/tracing.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace switchyard;
using namespace switchyard::telemetry;
using switchyard::testing::otlp_receiver;
using switchyard::testing::wait_limit;

namespace {

config::env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](
           std::string_view name) -> std::optional<std::string> {
    auto i = vars.find(std::string{name});
    if (i == vars.end())
      return std::nullopt;
    return i->second;
  };
}

} // namespace

TEST_CASE("start_tracing: off without an endpoint, the config over the "
          "environment",
          "[telemetry][tracing]") {
  auto time = std::make_shared<manual_time>(1'000);
  telemetry_config cfg;
  SECTION("no endpoint anywhere: nothing starts") {
    auto t = start_tracing(cfg, env_of({}), time);
    REQUIRE(t);
    CHECK_FALSE(t->enabled());
    CHECK(t->exporter == nullptr);
  }
  SECTION("an empty configured endpoint turns the environment's off") {
    cfg.otlp_endpoint = "";
    auto t = start_tracing(
      cfg, env_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"}}),
      time);
    REQUIRE(t);
    CHECK_FALSE(t->enabled());
  }
  SECTION("a bad setting fails, naming it") {
    cfg.otlp_endpoint = "collector:4318";
    auto t = start_tracing(cfg, env_of({}), time);
    REQUIRE_FALSE(t);
    CHECK(error_code_of(t.error()) == error_code::invalid_config);
  }
  SECTION("the configured endpoint wins, and spans reach it") {
    otlp_receiver receiver;
    cfg.otlp_endpoint = receiver.endpoint();
    cfg.sample_ratio = 1.0;
    cfg.propagate_to_providers = true;
    auto t = start_tracing(
      cfg,
      env_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"},
              {"OTEL_SERVICE_NAME", "edge"}}),
      time);
    REQUIRE(t);
    REQUIRE(t->enabled());
    CHECK(t->tracer->options().propagate_to_providers);
    CHECK(t->exporter->settings().resource.service_name == "edge");
    start_span(t->tracer->start_root_trace(), "route").end();
    REQUIRE(t->exporter->flush(wait_limit));
    REQUIRE(receiver.wait_for_spans(1));
    CHECK(receiver.spans().front().name == "route");
    CHECK(receiver.spans().front().start_unix_nanos == "1000000000");
    auto stats = t->exporter->stats();
    CHECK(stats.exported_spans == 1);
    auto text = prometheus_text(stats);
    CHECK_THAT(text, Catch::Contains(
                       "switchyard_trace_spans_total{result=\"exported\"} 1\n"));
    CHECK_THAT(text,
               Catch::Contains("switchyard_trace_export_failures_total 0\n"));
  }
}
