#include "span_recorder.hpp"

#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/genai_content.hpp"
#include "switchyard/telemetry/otlp_json.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"
#include "switchyard/telemetry/upstream_span.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace switchyard;
using namespace switchyard::telemetry;
using switchyard::testing::recorded_tracing;

namespace {

template <class T>
T attr(const span& s, std::string_view key) {
  auto* v = s.find(key);
  INFO(key);
  REQUIRE(v != nullptr);
  REQUIRE(std::holds_alternative<T>(*v));
  return std::get<T>(*v);
}

engine::provider_spec provider(std::string id, engine::provider_kind kind,
                               bool local = false) {
  engine::provider_spec p;
  p.id = std::move(id);
  p.kind = kind;
  p.local = local;
  p.base_url = "https://api.example.com:8443/v1";
  return p;
}

engine::call_request chat_request() {
  engine::call_request r;
  r.model = "gpt-4o";
  r.upstream_model = "gpt-4o-2024-08-06";
  r.max_tokens = 512;
  r.temperature = 0.25;
  r.messages.push_back(engine::chat_message::make(
    engine::message_role::system, "Be terse."));
  r.messages.push_back(engine::chat_message::make(engine::message_role::user,
                                                  "the secret plan"));
  return r;
}

/// An answer with every field a span reports.
engine::call_result answered_result() {
  engine::call_result res;
  res.model = "gpt-4o";
  res.response_model = "gpt-4o-2024-08-06-b";
  res.text = "the answer";
  res.finish_reason = "stop";
  res.input_tokens = 12;
  res.output_tokens = 34;
  res.http_status = 200;
  res.time_to_first_token_ms = 250;
  res.cost_nanos = 1'500'000;
  return res;
}

} // namespace

TEST_CASE("attempt contexts: the parent's trace, a stable span id per call "
          "and attempt",
          "[telemetry][upstream_span]") {
  recorded_tracing t;
  auto parent = t.tracer->start_root_trace();
  std::set<std::string> ids;
  for (std::uint64_t call = 1; call <= 50; ++call)
    for (std::uint32_t attempt = 1; attempt <= 4; ++attempt) {
      auto ctx = attempt_context(parent->context, call, attempt);
      CHECK(ctx.trace_id == parent->context.trace_id);
      CHECK(ctx.flags == parent->context.flags);
      CHECK(ctx.span_id.valid());
      CHECK(ctx.span_id == attempt_context(parent->context, call, attempt)
                             .span_id);
      ids.insert(ctx.span_id.to_hex());
    }
  CHECK(ids.size() == 200);
  CHECK_FALSE(ids.count(parent->context.span_id.to_hex()));
}

TEST_CASE("provider names follow the GenAI conventions, traceparent goes to "
          "local upstreams only unless allowed",
          "[telemetry][upstream_span]") {
  using engine::provider_kind;
  CHECK(genai_provider_name(provider("openai", provider_kind::openai))
        == "openai");
  CHECK(genai_provider_name(provider("mistral", provider_kind::openai))
        == "mistral_ai");
  CHECK(genai_provider_name(provider("claude", provider_kind::anthropic))
        == "anthropic");
  CHECK(genai_provider_name(provider("google", provider_kind::gemini))
        == "gcp.gemini");
  CHECK(genai_provider_name(provider("lmstudio", provider_kind::openai, true))
        == "lmstudio");
  CHECK(genai_provider_name(provider("ollama", provider_kind::ollama))
        == "ollama");

  recorded_tracing closed;
  recorded_tracing open{tracer_options{1.0, true, false}};
  auto p = closed.tracer->start_root_trace();
  auto q = open.tracer->start_root_trace();
  CHECK(propagates_to(*p, provider("lmstudio", provider_kind::openai, true)));
  CHECK(propagates_to(*p, provider("ollama", provider_kind::ollama)));
  CHECK_FALSE(propagates_to(*p, provider("openai", provider_kind::openai)));
  CHECK(propagates_to(*q, provider("openai", provider_kind::openai)));
}

TEST_CASE("an answered attempt's span carries the GenAI attributes and no "
          "content",
          "[telemetry][upstream_span]") {
  recorded_tracing t;
  auto parent = with_decision(t.tracer->start_root_trace(), 77);
  auto p = provider("openai", engine::provider_kind::openai);
  auto req = chat_request();
  req.options.top_p = 0.9;
  auto res = answered_result();
  auto s = make_upstream_span({*parent, p, req, res, 9, 1, 1000, 5000});
  CHECK(s.name == "chat gpt-4o-2024-08-06");
  CHECK(s.kind == span_kind::client);
  CHECK(s.trace_id == parent->context.trace_id);
  CHECK(s.parent_span_id == parent->context.span_id);
  CHECK(s.span_id == attempt_context(parent->context, 9, 1).span_id);
  CHECK(s.start_unix_nanos == 1000);
  CHECK(s.end_unix_nanos == 5000);
  CHECK(attr<std::string>(s, genai::operation_name) == "chat");
  CHECK(attr<std::string>(s, genai::provider_name) == "openai");
  CHECK(attr<std::string>(s, genai::request_model) == "gpt-4o-2024-08-06");
  CHECK(attr<std::string>(s, genai::response_model) == "gpt-4o-2024-08-06-b");
  CHECK(attr<std::int64_t>(s, genai::request_max_tokens) == 512);
  CHECK(attr<double>(s, genai::request_temperature) == 0.25);
  CHECK(attr<double>(s, genai::request_top_p) == 0.9);
  CHECK(attr<std::int64_t>(s, genai::usage_input_tokens) == 12);
  CHECK(attr<std::int64_t>(s, genai::usage_output_tokens) == 34);
  CHECK(attr<std::vector<std::string>>(s, genai::response_finish_reasons)
        == std::vector<std::string>{"stop"});
  CHECK(attr<std::int64_t>(s, genai::http_response_status_code) == 200);
  CHECK(attr<std::string>(s, genai::server_address) == "api.example.com");
  CHECK(attr<std::int64_t>(s, genai::server_port) == 8443);
  CHECK(attr<std::int64_t>(s, attrs::retry) == 0);
  CHECK(s.find(genai::http_request_resend_count) == nullptr);
  CHECK(attr<std::string>(s, attrs::decision_id) == "dec_000000000000004d");
  CHECK(attr<double>(s, attrs::time_to_first_token) == 0.25);
  CHECK(attr<double>(s, attrs::cost_usd) == Approx(0.0015));
  CHECK(s.status.code == status_code::unset);
  for (auto key : {genai::input_messages, genai::output_messages,
                   genai::system_instructions})
    CHECK(s.find(key) == nullptr);
  for (const auto& a : s.attributes)
    if (auto* text = std::get_if<std::string>(&a.value))
      CHECK(text->find("secret") == std::string::npos);
}

TEST_CASE("a failed retry's span names the error class and the resend",
          "[telemetry][upstream_span]") {
  recorded_tracing t;
  auto parent = t.tracer->start_root_trace();
  auto p = provider("lmstudio", engine::provider_kind::openai, true);
  p.base_url = "http://127.0.0.1:1234/v1";
  auto req = chat_request();
  engine::call_result res;
  res.error = engine::call_error::server_error;
  res.http_status = 503;
  res.error_message = "provider 'lmstudio': HTTP 503: the secret plan failed";
  SECTION("an HTTP error") {
    auto s = make_upstream_span({*parent, p, req, res, 3, 3, 10, 20});
    CHECK(attr<std::int64_t>(s, attrs::retry) == 2);
    CHECK(attr<std::int64_t>(s, genai::http_request_resend_count) == 2);
    CHECK(attr<std::string>(s, genai::error_type) == "503");
    CHECK(attr<std::string>(s, attrs::error_class) == "server_error");
    CHECK(attr<std::int64_t>(s, genai::server_port) == 1234);
    CHECK(s.find(genai::response_model) == nullptr);
    CHECK(s.find(genai::response_finish_reasons) == nullptr);
    CHECK(s.find(attrs::decision_id) == nullptr);
    CHECK(s.status.code == status_code::error);
    // The class, never the upstream's message (it may quote the prompt).
    CHECK(s.status.message == "server_error");
  }
  SECTION("no response at all") {
    res.error = engine::call_error::timeout;
    res.http_status = 0;
    auto s = make_upstream_span({*parent, p, req, res, 3, 1, 10, 20});
    CHECK(attr<std::string>(s, genai::error_type) == "timeout");
    CHECK(s.find(genai::http_response_status_code) == nullptr);
  }
}

TEST_CASE("a stream cut at its budget cap is an answer, not a failure",
          "[telemetry][upstream_span]") {
  recorded_tracing t;
  auto parent = t.tracer->start_root_trace();
  auto p = provider("anthropic", engine::provider_kind::anthropic);
  auto req = chat_request();
  engine::call_result res;
  res.error = engine::call_error::budget_exceeded;
  res.finish_reason = "length";
  res.http_status = 200;
  res.output_tokens = 157;
  auto s = make_upstream_span({*parent, p, req, res, 1, 1, 10, 20});
  CHECK(s.status.code == status_code::unset);
  CHECK(s.find(genai::error_type) == nullptr);
  CHECK(attr<std::string>(s, attrs::error_class) == "budget_exceeded");
  CHECK(attr<std::vector<std::string>>(s, genai::response_finish_reasons)
        == std::vector<std::string>{"length"});
  CHECK(attr<std::int64_t>(s, genai::usage_output_tokens) == 157);
}

TEST_CASE("capture_content puts the conversation and the answer on the span",
          "[telemetry][upstream_span]") {
  recorded_tracing t{tracer_options{1.0, false, true}};
  auto parent = t.tracer->start_root_trace();
  auto p = provider("openai", engine::provider_kind::openai);
  auto req = chat_request();
  engine::content_part image;
  image.kind = engine::part_kind::image;
  image.media_type = "image/png";
  image.data = "aGVsbG8=";
  req.messages.back().parts.push_back(image);
  engine::call_result res;
  res.text = "Done.";
  res.finish_reason = "tool_calls";
  engine::content_part call;
  call.kind = engine::part_kind::tool_call;
  call.id = "call_1";
  call.name = "lookup";
  call.arguments = R"({"q":"x"})";
  res.content.push_back(call);
  auto s = make_upstream_span({*parent, p, req, res, 1, 1, 10, 20});
  CHECK(attr<std::string>(s, genai::system_instructions)
        == R"([{"type":"text","content":"Be terse."}])");
  CHECK(attr<std::string>(s, genai::input_messages)
        == R"([{"role":"user","parts":[{"type":"text","content":"the secret )"
           R"(plan"},{"type":"blob","modality":"image","mime_type":)"
           R"("image/png"}]}])");
  CHECK(attr<std::string>(s, genai::output_messages)
        == R"([{"role":"assistant","parts":[{"type":"text","content":)"
           R"("Done."},{"type":"tool_call","id":"call_1","name":"lookup",)"
           R"("arguments":"{\"q\":\"x\"}"}],"finish_reason":"tool_calls"}])");
}

TEST_CASE("an attempt's span written straight to OTLP/JSON is the span's "
          "own encoding, byte for byte",
          "[telemetry][upstream_span]") {
  auto check_same = [](const upstream_attempt& a) {
    std::string from_span, direct;
    append_otlp_json_span(from_span, make_upstream_span(a));
    append_otlp_json_upstream_span(direct, a);
    CHECK(direct == from_span);
    CHECK_FALSE(direct.empty());
  };
  auto p = provider("openai", engine::provider_kind::openai);
  auto req = chat_request();
  SECTION("an answer, with a decision, top_p and a tracestate") {
    recorded_tracing t;
    auto parent = with_decision(t.tracer->start_root_trace(), 77);
    auto traced = std::make_shared<trace_parent>(*parent);
    traced->context.trace_state = "vendor=a\"b,x=\xff";
    req.options.top_p = 0.9;
    check_same({*traced, p, req, answered_result(), 9, 1, 1000, 5000});
  }
  SECTION("a failed retry on a local provider, no decision") {
    recorded_tracing t;
    auto parent = t.tracer->start_root_trace();
    auto local = provider("lmstudio", engine::provider_kind::openai, true);
    local.base_url = "http://127.0.0.1:1234/v1";
    engine::call_result res;
    res.error = engine::call_error::server_error;
    res.http_status = 503;
    check_same({*parent, local, req, res, 3, 3, 10, 20});
    res.error = engine::call_error::timeout;
    res.http_status = 0;
    check_same({*parent, local, req, res, 3, 1, 10, 20});
  }
  SECTION("a stream cut at its cap, an odd model name, no temperature") {
    recorded_tracing t;
    auto parent = t.tracer->start_root_trace();
    req.temperature.reset();
    req.upstream_model = "m\xc3\xa9tal \"7b\"\n";
    engine::call_result res;
    res.error = engine::call_error::budget_exceeded;
    res.finish_reason = "length";
    res.output_tokens = 157;
    check_same({*parent, provider("anthropic", engine::provider_kind::anthropic),
                req, res, 1, 2, 10, 20});
  }
  SECTION("captured content") {
    recorded_tracing t{tracer_options{1.0, false, true}};
    auto parent = t.tracer->start_root_trace();
    check_same({*parent, p, req, answered_result(), 1, 1, 10, 20});
  }
}

TEST_CASE("a sink that keeps spans gets upstream attempts as spans",
          "[telemetry][upstream_span]") {
  recorded_tracing t;
  auto parent = t.tracer->start_root_trace();
  auto p = provider("openai", engine::provider_kind::openai);
  auto req = chat_request();
  engine::call_result res;
  res.http_status = 200;
  t.tracer->record_upstream({*parent, p, req, res, 5, 1, 10, 20});
  auto spans = t.recorder->spans();
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].name == "chat gpt-4o-2024-08-06");
  CHECK(spans[0].span_id == attempt_context(parent->context, 5, 1).span_id);
}
