#include "span_recorder.hpp"

#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/otlp_json.hpp"
#include "switchyard/telemetry/server_span.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <variant>

using namespace switchyard;
using namespace switchyard::telemetry;
using switchyard::testing::recorded_tracing;

TEST_CASE("a request's server span written straight to OTLP/JSON is the "
          "span's own encoding, byte for byte",
          "[telemetry][server_span]") {
  recorded_tracing t;
  auto parent = t.tracer->start_root_trace();
  auto check_same = [](const server_request& r) {
    std::string from_span, direct;
    append_otlp_json_span(from_span, make_server_span(r));
    append_otlp_json_server_span(direct, r);
    CHECK(direct == from_span);
  };
  span_id remote;
  remote.bytes[3] = 7;
  SECTION("an answered chat completion with a decision, under a caller") {
    auto s = make_server_span({parent->context, remote, "POST",
                               "/v1/chat/completions", "/v1/chat/completions",
                               200, 42, 10, 20});
    CHECK(s.name == "POST /v1/chat/completions");
    CHECK(s.kind == span_kind::server);
    CHECK(s.parent_span_id == remote);
    CHECK(s.status.code == status_code::unset);
    check_same({parent->context, remote, "POST", "/v1/chat/completions",
                "/v1/chat/completions", 200, 42, 10, 20});
  }
  SECTION("an unknown path, a root, a client error") {
    auto s = make_server_span({parent->context, span_id{}, "GET",
                               "/nowhere\"x", "", 404, 0, 10, 20});
    CHECK(s.name == "GET");
    CHECK(s.find(genai::http_route) == nullptr);
    CHECK(s.status.code == status_code::unset);
    check_same({parent->context, span_id{}, "GET", "/nowhere\"x", "", 404, 0,
                10, 20});
  }
  SECTION("a server error fails the span") {
    auto s = make_server_span({parent->context, remote, "POST", "/v1/route",
                               "/v1/route", 503, 0, 10, 20});
    CHECK(s.status.code == status_code::error);
    CHECK(s.status.message == "HTTP 503");
    CHECK(std::get<std::string>(*s.find(genai::error_type)) == "503");
    check_same({parent->context, remote, "POST", "/v1/route", "/v1/route",
                503, 0, 10, 20});
  }
}
