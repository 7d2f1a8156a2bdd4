#include "otlp_batch.hpp"

#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/otlp_json.hpp"
#include "switchyard/telemetry/otlp_response.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using namespace switchyard::telemetry;
using switchyard::testing::parse_otlp_batch;

namespace {

trace_context context_of(std::string_view traceparent) {
  auto ctx = parse_trace_context(traceparent);
  REQUIRE(ctx);
  return *ctx;
}

std::vector<span> two_spans() {
  auto server_ctx = context_of(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  server_ctx.trace_state = "congo=t61rcWkgMzE";
  auto remote_parent = *span_id::from_hex("1111111111111111");
  auto server = make_span("POST /v1/chat/completions", span_kind::server,
                          server_ctx, remote_parent, 1'700'000'000'000'000'000);
  server.end_unix_nanos = 1'700'000'000'250'000'000;
  server.set(attrs::decision_id, std::uint64_t{42});

  auto client_ctx = context_of(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-a0b1c2d3e4f50617-01");
  auto client = make_span("chat gpt-4o", span_kind::client, client_ctx,
                          server_ctx.span_id, 1'700'000'000'010'000'000);
  client.end_unix_nanos = 1'700'000'000'240'000'000;
  client.set(genai::operation_name, genai::operation_chat)
    .set(genai::provider_name, genai::provider_openai)
    .set(genai::request_model, "gpt-4o")
    .set(genai::response_model, std::string{"gpt-4o-2024-08-06"})
    .set(genai::request_max_tokens, 256)
    .set(genai::request_temperature, 0.25)
    .set(genai::usage_input_tokens, std::int64_t{9'000'000'000})
    .set(genai::usage_output_tokens, 17u)
    .set(genai::response_finish_reasons,
         std::vector<std::string>{"stop", "length"})
    .set(attrs::fallback, true)
    .set(attrs::cost_usd, std::numeric_limits<double>::quiet_NaN());
  client.fail("upstream answered 503");
  return {std::move(server), std::move(client)};
}

} // namespace

TEST_CASE("otlp json: a batch has the OTLP shape, resource and scope") {
  resource res;
  res.service_name = "gateway-a";
  res.service_version = "9.9.9";
  res.node_id = "node-1";
  std::string body;
  auto spans = two_spans();
  append_otlp_json(body, res, spans);
  auto batch = parse_otlp_batch(body);
  REQUIRE(batch);
  CHECK(batch->resource.at("service.name") == R"({"stringValue":"gateway-a"})");
  CHECK(batch->resource.at("service.version") == R"({"stringValue":"9.9.9"})");
  CHECK(batch->resource.at("switchyard.node.id")
        == R"({"stringValue":"node-1"})");
  CHECK(batch->scope_name == "switchyard");
  CHECK(batch->scope_version == library_version());
  CHECK(batch->schema_url == "https://opentelemetry.io/schemas/1.37.0");
  REQUIRE(batch->spans.size() == 2);
}

TEST_CASE("otlp json: ids are lowercase hex, times strings, kinds ints") {
  std::string body;
  append_otlp_json(body, resource{}, two_spans());
  auto batch = parse_otlp_batch(body);
  REQUIRE(batch);
  const auto& server = batch->spans.at(0);
  CHECK(server.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(server.span_id == "00f067aa0ba902b7");
  CHECK(server.parent_span_id == "1111111111111111");
  CHECK(server.trace_state == "congo=t61rcWkgMzE");
  CHECK(server.name == "POST /v1/chat/completions");
  CHECK(server.kind == 2);
  CHECK(server.start_unix_nanos == "1700000000000000000");
  CHECK(server.end_unix_nanos == "1700000000250000000");
  CHECK_FALSE(server.has_status); // unset: left out
  CHECK(server.attributes.at("switchyard.decision.id")
        == R"({"intValue":"42"})");
  const auto& client = batch->spans.at(1);
  CHECK(client.kind == 3);
  CHECK(client.parent_span_id == "00f067aa0ba902b7");
  CHECK(client.has_status);
  CHECK(client.status_code == 2);
  CHECK(client.status_message == "upstream answered 503");
  // Exactly as written, without a parser in between.
  CHECK(body.find(R"("traceId":"4bf92f3577b34da6a3ce929d0e0e4736")")
        != std::string::npos);
  CHECK(body.find(R"("startTimeUnixNano":"1700000000010000000")")
        != std::string::npos);
  CHECK(body.find(R"("kind":3)") != std::string::npos);
}

TEST_CASE("otlp json: every attribute kind has its AnyValue form") {
  std::string body;
  append_otlp_json(body, resource{}, two_spans());
  auto batch = parse_otlp_batch(body);
  REQUIRE(batch);
  const auto& a = batch->spans.at(1).attributes;
  CHECK(a.at("gen_ai.operation.name") == R"({"stringValue":"chat"})");
  CHECK(a.at("gen_ai.provider.name") == R"({"stringValue":"openai"})");
  CHECK(a.at("gen_ai.request.model") == R"({"stringValue":"gpt-4o"})");
  CHECK(a.at("gen_ai.response.model")
        == R"({"stringValue":"gpt-4o-2024-08-06"})");
  CHECK(a.at("gen_ai.request.max_tokens") == R"({"intValue":"256"})");
  CHECK(a.at("gen_ai.request.temperature") == R"({"doubleValue":0.25})");
  CHECK(a.at("gen_ai.usage.input_tokens") == R"({"intValue":"9000000000"})");
  CHECK(a.at("gen_ai.usage.output_tokens") == R"({"intValue":"17"})");
  CHECK(a.at("gen_ai.response.finish_reasons")
        == R"({"arrayValue":{"values":[{"stringValue":"stop"},)"
           R"({"stringValue":"length"}]}})");
  CHECK(a.at("switchyard.fallback") == R"({"boolValue":true})");
  CHECK(a.at("switchyard.cost.usd") == R"({"doubleValue":"NaN"})");
}

TEST_CASE("otlp json: a root has no parentSpanId, empty optional parts are "
          "left out") {
  auto ctx = context_of(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  std::vector<span> spans{make_span("route", span_kind::internal, ctx, {}, 5)};
  resource res;
  res.service_version.clear();
  std::string body;
  append_otlp_json(body, res, spans);
  CHECK(body.find("parentSpanId") == std::string::npos);
  CHECK(body.find("traceState") == std::string::npos);
  CHECK(body.find("attributes\":[]") == std::string::npos);
  CHECK(body.find("service.version") == std::string::npos);
  CHECK(body.find("switchyard.node.id") == std::string::npos);
  auto batch = parse_otlp_batch(body);
  REQUIRE(batch);
  CHECK(batch->spans.at(0).kind == 1);
  CHECK(batch->spans.at(0).end_unix_nanos == "0");
}

TEST_CASE("otlp json: text is escaped and invalid UTF-8 repaired") {
  auto ctx = context_of(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto s = make_span("say \"hi\"\n", span_kind::internal, ctx, {}, 1);
  s.set("note", std::string_view{"caf\xc3\xa9 \xff\xfe ok\x80"});
  s.set("inf", std::numeric_limits<double>::infinity());
  std::vector<span> spans{std::move(s)};
  std::string body;
  append_otlp_json(body, resource{}, spans);
  auto batch = parse_otlp_batch(body); // simdjson validates UTF-8
  REQUIRE(batch);
  CHECK(batch->spans.at(0).name == "say \"hi\"\n");
  CHECK(batch->spans.at(0).attributes.at("note")
        == "{\"stringValue\":\"caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd "
           "ok\xef\xbf\xbd\"}");
  CHECK(batch->spans.at(0).attributes.at("inf")
        == R"({"doubleValue":"Infinity"})");
}

TEST_CASE("otlp json: text that escapes to six bytes a byte fits, in every "
          "field") {
  // Control characters take `\u00XX`, the most any byte takes.
  std::string worst(40, '\x01');
  auto ctx = context_of(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ctx.trace_state = worst;
  auto s = make_span(worst, span_kind::client, ctx,
                     *span_id::from_hex("1111111111111111"),
                     std::numeric_limits<std::uint64_t>::max());
  s.end_unix_nanos = std::numeric_limits<std::uint64_t>::max();
  s.set(worst, worst)
    .set(worst + "a", std::vector<std::string>{worst, worst, "\xff\xfe"})
    .set(worst + "b", std::numeric_limits<std::int64_t>::min())
    .set(worst + "c", -std::numeric_limits<double>::max())
    .set(worst + "d", false);
  s.fail(worst);
  std::string body;
  append_otlp_json_span(body, s);
  auto one = body;
  body.clear();
  append_otlp_json(body, resource{}, std::span<const span>{&s, 1});
  CHECK(body.find(one) != std::string::npos);
  auto batch = parse_otlp_batch(body);
  REQUIRE(batch);
  const auto& r = batch->spans.at(0);
  CHECK(r.name == worst);
  CHECK(r.trace_state == worst);
  CHECK(r.status_message == worst);
  CHECK(r.end_unix_nanos == "18446744073709551615");
  CHECK(r.attributes.size() == 5);
  CHECK(r.attributes.at(worst + "b")
        == R"({"intValue":"-9223372036854775808"})");
}

TEST_CASE("span: setting a key again replaces its value") {
  span s;
  s.set("k", "a").set("k", 3).set("big", std::uint64_t{1} << 63);
  REQUIRE(s.attributes.size() == 2);
  REQUIRE(s.find("k"));
  CHECK(std::get<std::int64_t>(*s.find("k")) == 3);
  // Above INT64_MAX: kept exactly, as a string.
  CHECK(std::get<std::string>(*s.find("big")) == "9223372036854775808");
  CHECK(s.find("missing") == nullptr);
}

TEST_CASE("otlp response: rejected spans of a partial success") {
  CHECK(rejected_spans("") == 0);
  CHECK(rejected_spans("{}") == 0);
  CHECK(rejected_spans("not json") == 0);
  CHECK(rejected_spans(R"({"partialSuccess":{}})") == 0);
  CHECK(rejected_spans(
          R"({"partialSuccess":{"rejectedSpans":"3","errorMessage":"x"}})")
        == 3);
  CHECK(rejected_spans(R"({"partialSuccess":{"rejectedSpans":4}})") == 4);
}
