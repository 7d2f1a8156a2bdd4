#include "switchyard/messages/error_code.hpp"
#include "switchyard/telemetry/exporter_settings.hpp"
#include "switchyard/telemetry/otlp_headers.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace switchyard::telemetry;
using switchyard::error_code;
using switchyard::error_code_of;
using switchyard::error_message;

namespace {

switchyard::config::env_lookup
env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](
           std::string_view name) -> std::optional<std::string> {
    auto i = vars.find(std::string{name});
    if (i == vars.end())
      return std::nullopt;
    return i->second;
  };
}

exporter_settings resolve(const telemetry_config& cfg,
                          std::map<std::string, std::string> vars) {
  auto s = resolve_exporter_settings(cfg, env_of(std::move(vars)));
  INFO((s ? std::string{} : error_message(s.error())));
  REQUIRE(s);
  return *s;
}

std::string failure(const telemetry_config& cfg,
                    std::map<std::string, std::string> vars) {
  auto s = resolve_exporter_settings(cfg, env_of(std::move(vars)));
  REQUIRE_FALSE(s);
  CHECK(error_code_of(s.error()) == error_code::invalid_config);
  return error_message(s.error());
}

} // namespace

TEST_CASE("settings: no endpoint anywhere means off") {
  auto s = resolve(telemetry_config{}, {});
  CHECK_FALSE(s.enabled());
  CHECK(s.to_string() == "off (no OTLP endpoint)");
  // Empty variables count as unset.
  CHECK_FALSE(resolve(telemetry_config{},
                      {{"OTEL_EXPORTER_OTLP_ENDPOINT", ""},
                       {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""}})
                .enabled());
}

TEST_CASE("settings: the traces endpoint variable is used as is") {
  auto s = resolve(telemetry_config{},
                   {{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                     "http://collector:4318/custom/traces"},
                    {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://other:4318"}});
  CHECK(s.endpoint == "http://collector:4318/custom/traces");
}

TEST_CASE("settings: the generic endpoint variable gets /v1/traces") {
  CHECK(resolve(telemetry_config{},
                {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}})
          .endpoint
        == "http://collector:4318/v1/traces");
  CHECK(resolve(telemetry_config{},
                {{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://c.example/otlp/"}})
          .endpoint
        == "https://c.example:443/otlp/v1/traces");
}

TEST_CASE("settings: an explicit endpoint wins over the environment") {
  telemetry_config cfg;
  cfg.otlp_endpoint = "http://explicit:4318/v1/traces";
  auto s = resolve(cfg, {{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                          "http://env:4318/v1/traces"}});
  CHECK(s.endpoint == "http://explicit:4318/v1/traces");
  SECTION("a bare origin gets the traces path") {
    cfg.otlp_endpoint = "http://explicit:4318";
    CHECK(resolve(cfg, {}).endpoint == "http://explicit:4318/v1/traces");
  }
  SECTION("an empty one turns export off") {
    cfg.otlp_endpoint = "";
    CHECK_FALSE(resolve(cfg, {{"OTEL_EXPORTER_OTLP_ENDPOINT",
                               "http://env:4318"}})
                  .enabled());
  }
}

TEST_CASE("settings: a bad endpoint names its source, not its text") {
  telemetry_config cfg;
  cfg.otlp_endpoint = "ftp://user:hunter2@collector";
  auto msg = failure(cfg, {});
  CHECK(msg.find("telemetry.otlp_endpoint") != std::string::npos);
  CHECK(msg.find("hunter2") == std::string::npos);
  auto env_msg = failure(telemetry_config{},
                         {{"OTEL_EXPORTER_OTLP_ENDPOINT",
                           "http://user:hunter2@collector:4318"}});
  CHECK(env_msg.find("OTEL_EXPORTER_OTLP_ENDPOINT") != std::string::npos);
  CHECK(env_msg.find("hunter2") == std::string::npos);
}

TEST_CASE("settings: service name from the config, then OTEL_SERVICE_NAME") {
  CHECK(resolve(telemetry_config{}, {}).resource.service_name == "switchyard");
  CHECK(resolve(telemetry_config{}, {{"OTEL_SERVICE_NAME", "edge"}})
          .resource.service_name
        == "edge");
  telemetry_config cfg;
  cfg.service_name = "explicit";
  cfg.node_id = "n1";
  auto s = resolve(cfg, {{"OTEL_SERVICE_NAME", "edge"}});
  CHECK(s.resource.service_name == "explicit");
  CHECK(s.resource.node_id == "n1");
  CHECK(s.resource.service_version == library_version());
}

TEST_CASE("settings: out-of-range values are refused") {
  telemetry_config cfg;
  cfg.sample_ratio = 1.5;
  CHECK(failure(cfg, {}).find("telemetry.sample_ratio") != std::string::npos);
  cfg = {};
  cfg.max_batch = 4096;
  CHECK(failure(cfg, {}).find("OTEL_BSP_MAX_EXPORT_BATCH_SIZE")
        != std::string::npos);
  cfg = {};
  cfg.queue_capacity = 0;
  CHECK(failure(cfg, {}).find("OTEL_BSP_MAX_QUEUE_SIZE") != std::string::npos);
  cfg = {};
  cfg.flush_interval = std::chrono::milliseconds{0};
  CHECK(failure(cfg, {}).find("OTEL_BSP_SCHEDULE_DELAY") != std::string::npos);
}

TEST_CASE("settings: the batch span processor's variables set the limits") {
  telemetry_config cfg;
  auto s = resolve(cfg, {{"OTEL_BSP_MAX_QUEUE_SIZE", "4096"},
                         {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", " 64 "},
                         {"OTEL_BSP_SCHEDULE_DELAY", "250"},
                         {"OTEL_EXPORTER_OTLP_TIMEOUT", "3000"}});
  CHECK(s.queue_capacity == 4096);
  CHECK(s.max_batch == 64);
  CHECK(s.flush_interval == std::chrono::milliseconds{250});
  CHECK(s.export_timeout == std::chrono::milliseconds{3000});
  // The processor's timeout wins over the exporter's, the traces one over
  // the generic one.
  s = resolve(cfg, {{"OTEL_EXPORTER_OTLP_TIMEOUT", "3000"},
                    {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2000"}});
  CHECK(s.export_timeout == std::chrono::milliseconds{2000});
  s = resolve(cfg, {{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2000"},
                    {"OTEL_BSP_EXPORT_TIMEOUT", "1500"}});
  CHECK(s.export_timeout == std::chrono::milliseconds{1500});
  // Unset or empty: the defaults.
  s = resolve(cfg, {{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", ""}});
  CHECK(s.max_batch == cfg.max_batch);
  CHECK(s.queue_capacity == cfg.queue_capacity);
}

TEST_CASE("settings: a bad batch variable names the variable and its text") {
  telemetry_config cfg;
  for (auto bad : {"0", "-5", "12x", "1e3", "99999999999"}) {
    auto msg = failure(cfg, {{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", bad}});
    CHECK(msg.find("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") != std::string::npos);
    CHECK(msg.find(bad) != std::string::npos);
  }
  auto msg = failure(cfg, {{"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
                           {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "200"}});
  CHECK(msg.find("must not exceed") != std::string::npos);
  CHECK(msg.find("200") != std::string::npos);
}

TEST_CASE("settings: OTLP headers are read, decoded and never shown") {
  auto s = resolve(telemetry_config{},
                   {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                    {"OTEL_EXPORTER_OTLP_HEADERS",
                     "x-honeycomb-team=s3cr3t%2Dkey , x-dataset = spans%20a"}});
  REQUIRE(s.headers.size() == 2);
  CHECK(s.headers[0].name == "x-honeycomb-team");
  CHECK(s.headers[0].value == "s3cr3t-key");
  CHECK(s.headers[1].name == "x-dataset");
  CHECK(s.headers[1].value == "spans a");
  auto text = s.to_string();
  CHECK(text.find("x-honeycomb-team=<redacted>") != std::string::npos);
  CHECK(text.find("s3cr3t") == std::string::npos);
  CHECK(text.find("spans a") == std::string::npos);
  CHECK(text.find("endpoint=http://c:4318/v1/traces") != std::string::npos);
}

TEST_CASE("settings: the traces headers variable wins over the generic one") {
  auto s = resolve(telemetry_config{},
                   {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                    {"OTEL_EXPORTER_OTLP_HEADERS", "a=1"},
                    {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=2"}});
  REQUIRE(s.headers.size() == 1);
  CHECK(s.headers[0].name == "b");
}

TEST_CASE("settings: headers are not read while export is off") {
  auto s = resolve(telemetry_config{},
                   {{"OTEL_EXPORTER_OTLP_HEADERS", "malformed"}});
  CHECK_FALSE(s.enabled());
  CHECK(s.headers.empty());
}

TEST_CASE("settings: headers the exporter sets itself are refused") {
  auto msg = failure(telemetry_config{},
                     {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                      {"OTEL_EXPORTER_OTLP_HEADERS", "host=evil,k=v"}});
  CHECK(msg.find("Host") != std::string::npos);
}

TEST_CASE("otlp headers: malformed entries fail without showing their text") {
  const char* bad[] = {
    "x-key",                    // no '='
    "=s3cr3t",                  // empty name
    "bad name=s3cr3t",          // not a token
    "x-key=s3cr3t%zz",          // bad escape
    "x-key=s3cr3t%4",           // short escape
    "x-key=s3cr3t%0d%0aX-Injected: 1", // CR LF
    "x-key=s3cr3t%00",          // NUL
  };
  for (const char* text : bad) {
    INFO(text);
    auto h = parse_otlp_headers(text, "OTEL_EXPORTER_OTLP_HEADERS");
    REQUIRE_FALSE(h);
    auto msg = error_message(h.error());
    CHECK(msg.find("OTEL_EXPORTER_OTLP_HEADERS: entry 1") != std::string::npos);
    CHECK(msg.find("s3cr3t") == std::string::npos);
    CHECK(msg.find("x-key") == std::string::npos);
  }
}

TEST_CASE("otlp headers: empty entries are skipped, '=' may be in values") {
  auto h = parse_otlp_headers(" , authorization=Basic YWxhZGRpbjpvcGVu== ,,",
                              "OTEL_EXPORTER_OTLP_HEADERS");
  REQUIRE(h);
  REQUIRE(h->size() == 1);
  CHECK((*h)[0].name == "authorization");
  CHECK((*h)[0].value == "Basic YWxhZGRpbjpvcGVu==");
}
