#include "otlp_receiver.hpp"

#include "switchyard/messages/error_code.hpp"
#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/span_exporter.hpp"
#include "switchyard/telemetry/start_context.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <string>

using namespace switchyard::telemetry;
using switchyard::testing::closed_port;
using switchyard::testing::otlp_receiver;
using switchyard::testing::received_span;
using switchyard::testing::wait_limit;

namespace {

constexpr std::chrono::hours never{24};

/// Settings that export only when a batch fills, on flush or at shutdown
/// (the interval is a day), so that a test decides when requests go out.
exporter_settings settings_for(std::string endpoint) {
  exporter_settings s;
  s.endpoint = std::move(endpoint);
  s.flush_interval = never;
  s.resource.service_name = "switchyard-test";
  s.resource.node_id = "node-7";
  return s;
}

std::unique_ptr<span_exporter> make_exporter(exporter_settings s) {
  auto made = span_exporter::make(std::move(s));
  INFO((made ? std::string{} : switchyard::error_message(made.error())));
  REQUIRE(made);
  return std::move(*made);
}

span numbered(int i) {
  static id_generator ids{99};
  auto ctx = start_root_context(sampler{1.0}, ids);
  auto s = make_span("span " + std::to_string(i), span_kind::internal, ctx,
                     {}, 1000);
  s.end_unix_nanos = 2000;
  return s;
}

const received_span& named(const std::vector<received_span>& spans,
                           std::string_view name) {
  auto i = std::find_if(spans.begin(), spans.end(),
                        [&](const auto& s) { return s.name == name; });
  REQUIRE(i != spans.end());
  return *i;
}

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

} // namespace

TEST_CASE("exporter: spans arrive at the collector with ids, parents and "
          "attributes") {
  otlp_receiver rx;
  auto exporter = make_exporter(settings_for(rx.endpoint()));
  id_generator ids{1};
  sampler all{1.0};
  auto incoming = parse_trace_context(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto server_ctx = start_context(incoming, all, ids);
  auto client_ctx = start_child_context(server_ctx, ids);

  auto server = make_span("POST /v1/chat/completions", span_kind::server,
                          server_ctx, incoming->span_id, 1'000);
  server.end_unix_nanos = 9'000;
  server.set(attrs::decision_id, 17);
  auto client = make_span("chat gpt-4o", span_kind::client, client_ctx,
                          server_ctx.span_id, 2'000);
  client.end_unix_nanos = 8'000;
  client.set(genai::operation_name, genai::operation_chat)
    .set(genai::provider_name, genai::provider_openai)
    .set(genai::request_model, "gpt-4o")
    .set(genai::usage_output_tokens, 12);
  exporter->record(std::move(server));
  exporter->record(std::move(client));
  REQUIRE(exporter->flush(wait_limit));
  REQUIRE(rx.wait_for_spans(2));

  auto spans = rx.spans();
  const auto& s = named(spans, "POST /v1/chat/completions");
  const auto& c = named(spans, "chat gpt-4o");
  CHECK(s.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(c.trace_id == s.trace_id);
  CHECK(s.parent_span_id == "00f067aa0ba902b7");
  CHECK(s.span_id == server_ctx.span_id.to_hex());
  CHECK(c.parent_span_id == s.span_id);
  CHECK(s.kind == 2);
  CHECK(c.kind == 3);
  CHECK(s.attributes.at("switchyard.decision.id") == R"({"intValue":"17"})");
  CHECK(c.attributes.at("gen_ai.provider.name")
        == R"({"stringValue":"openai"})");
  CHECK(c.attributes.at("gen_ai.usage.output_tokens")
        == R"({"intValue":"12"})");

  auto requests = rx.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/v1/traces");
  CHECK(requests[0].header("Content-Type") == "application/json");
  auto batches = rx.batches();
  REQUIRE(batches.at(0));
  CHECK(batches[0]->resource.at("service.name")
        == R"({"stringValue":"switchyard-test"})");
  CHECK(batches[0]->resource.at("switchyard.node.id")
        == R"({"stringValue":"node-7"})");

  auto st = exporter->stats();
  CHECK(st.recorded_spans == 2);
  CHECK(st.exported_spans == 2);
  CHECK(st.dropped_spans == 0);
  CHECK(st.failed_exports == 0);
  CHECK(st.queued_spans == 0);
  CHECK(st.last_failure.empty());
}

TEST_CASE("exporter: a full batch goes out without a flush") {
  otlp_receiver rx;
  auto s = settings_for(rx.endpoint());
  s.max_batch = 3;
  auto exporter = make_exporter(s);
  for (int i = 0; i < 3; ++i)
    exporter->record(numbered(i));
  REQUIRE(rx.wait_for_spans(3));
  CHECK(rx.requests().size() == 1);
}

TEST_CASE("exporter: a partial batch goes out after the flush interval") {
  otlp_receiver rx;
  auto s = settings_for(rx.endpoint());
  s.flush_interval = std::chrono::milliseconds{10};
  auto exporter = make_exporter(s);
  exporter->record(numbered(1));
  REQUIRE(rx.wait_for_spans(1));
}

TEST_CASE("exporter: batches hold at most max_batch spans") {
  otlp_receiver rx;
  auto s = settings_for(rx.endpoint());
  s.max_batch = 4;
  auto exporter = make_exporter(s);
  for (int i = 0; i < 10; ++i)
    exporter->record(numbered(i));
  REQUIRE(exporter->flush(wait_limit));
  REQUIRE(rx.wait_for_spans(10));
  auto batches = rx.batches();
  REQUIRE(batches.size() == 3);
  CHECK(batches[0]->spans.size() == 4);
  CHECK(batches[1]->spans.size() == 4);
  CHECK(batches[2]->spans.size() == 2);
  CHECK(exporter->stats().exported_spans == 10);
}

TEST_CASE("exporter: OTEL_EXPORTER_OTLP_HEADERS reach the collector and no "
          "output shows them") {
  // The collector refuses (401), so that its failure report is checked too.
  otlp_receiver rx{401, R"({"code":16,"message":"bad key s3cr3t-key"})"};
  auto settings = resolve_exporter_settings(
    telemetry_config{},
    env_of({{"OTEL_EXPORTER_OTLP_ENDPOINT",
             "http://127.0.0.1:" + std::to_string(rx.port())},
            {"OTEL_EXPORTER_OTLP_HEADERS",
             "x-api-key=s3cr3t%2Dkey,x-team=blue"}}));
  REQUIRE(settings);
  CHECK(settings->endpoint == rx.endpoint());
  auto exporter = make_exporter(*settings);
  exporter->record(numbered(1));
  REQUIRE(exporter->flush(wait_limit));
  auto requests = rx.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].header("x-api-key") == "s3cr3t-key");
  CHECK(requests[0].header("x-team") == "blue");
  CHECK(requests[0].header("Content-Type") == "application/json");

  auto st = exporter->stats();
  CHECK(st.failed_exports == 1);
  CHECK(st.dropped_spans == 1);
  CHECK(st.exported_spans == 0);
  CHECK(st.last_failure.find("HTTP 401") != std::string::npos);
  for (const auto& text : {st.last_failure, settings->to_string(),
                           exporter->settings().to_string()}) {
    INFO(text);
    CHECK(text.find("s3cr3t") == std::string::npos);
    CHECK(text.find("blue") == std::string::npos);
  }
}

TEST_CASE("exporter: a down collector costs spans, and record goes on") {
  auto s = settings_for("http://127.0.0.1:" + std::to_string(closed_port())
                        + "/v1/traces");
  auto exporter = make_exporter(s);
  for (int i = 0; i < 5; ++i)
    exporter->record(numbered(i));
  REQUIRE(exporter->flush(wait_limit));
  auto st = exporter->stats();
  CHECK(st.recorded_spans == 5);
  CHECK(st.exported_spans == 0);
  CHECK(st.dropped_spans == 5);
  CHECK(st.failed_exports >= 1);
  CHECK(st.queue_full_spans == 0);
  CHECK(st.last_failure.find("connect") != std::string::npos);
  // Still accepting: the next spans are queued, and fail the same way.
  exporter->record(numbered(6));
  CHECK(exporter->stats().recorded_spans == 6);
  REQUIRE(exporter->flush(wait_limit));
  CHECK(exporter->stats().dropped_spans == 6);
}

TEST_CASE("exporter: a full queue drops and counts while the collector "
          "stalls") {
  otlp_receiver rx;
  rx.hold();
  auto s = settings_for(rx.endpoint());
  s.queue_capacity = 4;
  s.max_batch = 1;
  auto exporter = make_exporter(s);
  // The first span goes out at once (a full batch of one) and its request
  // hangs: the export thread now waits on the collector.
  exporter->record(numbered(0));
  REQUIRE(rx.wait_for_requests(1));
  // record() does not wait for it: four spans fill the queue, three more
  // are dropped.
  for (int i = 1; i <= 7; ++i)
    exporter->record(numbered(i));
  auto st = exporter->stats();
  CHECK(st.recorded_spans == 5);
  CHECK(st.queued_spans == 4);
  CHECK(st.queue_full_spans == 3);
  CHECK(st.dropped_spans == 3);
  CHECK(st.exported_spans == 0);

  rx.release();
  REQUIRE(exporter->flush(wait_limit));
  st = exporter->stats();
  CHECK(st.exported_spans == 5);
  CHECK(st.dropped_spans == 3);
  CHECK(st.queued_spans == 0);
  CHECK(rx.spans().size() == 5);
}

TEST_CASE("exporter: shutdown exports what is queued, then refuses spans") {
  otlp_receiver rx;
  auto exporter = make_exporter(settings_for(rx.endpoint()));
  for (int i = 0; i < 3; ++i)
    exporter->record(numbered(i));
  exporter->shutdown();
  CHECK(rx.spans().size() == 3);
  CHECK(exporter->stats().exported_spans == 3);
  exporter->record(numbered(4));
  auto st = exporter->stats();
  CHECK(st.recorded_spans == 3);
  CHECK(st.dropped_spans == 1);
  exporter->shutdown(); // idempotent
  CHECK(exporter->flush(wait_limit));
}

TEST_CASE("exporter: shutdown gives up on a collector that does not answer") {
  otlp_receiver rx;
  rx.hold();
  auto s = settings_for(rx.endpoint());
  s.max_batch = 1;
  s.shutdown_timeout = std::chrono::milliseconds{50};
  auto exporter = make_exporter(s);
  exporter->record(numbered(0));
  REQUIRE(rx.wait_for_requests(1));
  exporter->record(numbered(1));
  exporter->shutdown();
  auto st = exporter->stats();
  CHECK(st.failed_exports == 1);
  CHECK(st.dropped_spans == 2);
  CHECK(st.exported_spans == 0);
  CHECK(st.last_failure.find("cancelled") != std::string::npos);
}

TEST_CASE("exporter: spans a collector rejects count as dropped") {
  otlp_receiver rx{200, R"({"partialSuccess":{"rejectedSpans":"1",)"
                        R"("errorMessage":"span too large"}})"};
  auto exporter = make_exporter(settings_for(rx.endpoint()));
  exporter->record(numbered(0));
  exporter->record(numbered(1));
  REQUIRE(exporter->flush(wait_limit));
  auto st = exporter->stats();
  CHECK(st.exported_spans == 1);
  CHECK(st.dropped_spans == 1);
  CHECK(st.failed_exports == 0);
  CHECK(st.last_failure.find("rejected 1 of 2") != std::string::npos);
}

TEST_CASE("exporter: make refuses settings that are off or inconsistent") {
  auto off = span_exporter::make(exporter_settings{});
  REQUIRE_FALSE(off);
  CHECK(switchyard::error_code_of(off.error())
        == switchyard::error_code::invalid_argument);
  auto s = settings_for("http://127.0.0.1:4318/v1/traces");
  s.max_batch = s.queue_capacity + 1;
  CHECK_FALSE(span_exporter::make(s));
  s = settings_for("ftp://127.0.0.1/v1/traces");
  auto bad_url = span_exporter::make(s);
  REQUIRE_FALSE(bad_url);
  CHECK(switchyard::error_code_of(bad_url.error())
        == switchyard::error_code::invalid_config);
}
