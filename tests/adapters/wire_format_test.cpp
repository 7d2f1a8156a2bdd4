// Requests built and responses read by each wire format, against bodies in
// the shape of the real APIs' documentation.
#include "switchyard/providers/anthropic/anthropic_format.hpp"
#include "switchyard/providers/cohere/cohere_format.hpp"
#include "switchyard/providers/gemini/gemini_format.hpp"
#include "switchyard/providers/ollama/ollama_format.hpp"
#include "switchyard/providers/openai/openai_format.hpp"
#include "switchyard/providers/provider_errors.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

using namespace switchyard;
using namespace switchyard::providers;
using engine::call_error;

namespace {

engine::call_request sample_request() {
  engine::call_request req;
  req.model = "m";
  req.upstream_model = "model-x";
  using engine::chat_message;
  using engine::message_role;
  req.messages = {chat_message::make(message_role::system, "Be brief."),
                  chat_message::make(message_role::user, "Hello"),
                  chat_message::make(message_role::assistant, "Hi!"),
                  chat_message::make(message_role::user, "Weather in Paris?")};
  req.temperature = 0.5;
  req.options.top_p = 0.9;
  req.max_tokens = 100;
  req.stop = {"END"};
  engine::tool_definition tool;
  tool.name = "get_weather";
  tool.description = "Current weather";
  tool.parameters = R"({"type":"object","properties":{"city":{"type":"string"}}})";
  req.options.tools.push_back(tool);
  return req;
}

struct built {
  http::client_request http;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
};

void build(const wire_format& f, const engine::call_request& req, bool stream,
           std::string_view base, built& out) {
  REQUIRE(f.build_request(req, stream, base, out.http).empty());
  REQUIRE(out.parser.parse(out.http.body).get(out.doc) == simdjson::SUCCESS);
}

std::string str(simdjson::simdjson_result<simdjson::dom::element> e) {
  std::string_view s;
  REQUIRE(e.get(s) == simdjson::SUCCESS);
  return std::string{s};
}

double num(simdjson::simdjson_result<simdjson::dom::element> e) {
  double d = 0;
  REQUIRE(e.get(d) == simdjson::SUCCESS);
  return d;
}

/// The answer's first tool call; fails the test when there is none.
engine::content_part first_call(const engine::call_result& r) {
  for (const auto& p : r.content)
    if (p.kind == engine::part_kind::tool_call)
      return p;
  FAIL("no tool call in the result");
  return {};
}

engine::call_result parse(const wire_format& f, std::string body) {
  engine::call_result r;
  f.parse_response(body, r);
  return r;
}

} // namespace

TEST_CASE("openai: the request follows chat completions", "[wire]") {
  openai_format f;
  built b;
  build(f, sample_request(), true, "/v1", b);
  CHECK(b.http.target == "/v1/chat/completions");
  CHECK(str(b.doc["model"]) == "model-x");
  CHECK(str(b.doc["messages"].at(0)["role"]) == "system");
  CHECK(str(b.doc["messages"].at(3)["content"]) == "Weather in Paris?");
  CHECK(num(b.doc["temperature"]) == 0.5);
  CHECK(num(b.doc["max_tokens"]) == 100);
  CHECK(str(b.doc["stop"].at(0)) == "END");
  CHECK(str(b.doc["tools"].at(0)["function"]["name"]) == "get_weather");
  bool include_usage = false;
  CHECK(b.doc["stream_options"]["include_usage"].get(include_usage)
        == simdjson::SUCCESS);
  CHECK(include_usage);
  auto req = sample_request();
  req.upstream_model = "o1-mini";
  built o;
  build(f, req, false, "/v1", o);
  CHECK(o.doc["max_tokens"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(num(o.doc["max_completion_tokens"]) == 100);
  CHECK(o.doc["stream"].error() == simdjson::NO_SUCH_FIELD);
}

TEST_CASE("openai: a completion with tool calls is read", "[wire]") {
  openai_format f;
  auto r = parse(f, R"({"id":"chatcmpl-1","object":"chat.completion",
    "choices":[{"index":0,"message":{"role":"assistant","content":null,
    "tool_calls":[{"id":"call_1","type":"function","function":{"name":
    "get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
    "finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99}})");
  REQUIRE(r.ok());
  CHECK(r.text.empty());
  CHECK(r.finish_reason == "tool_calls");
  CHECK(r.input_tokens == 82);
  CHECK(r.output_tokens == 17);
  CHECK(first_call(r).id == "call_1");
  auto bad = parse(f, R"({"id":"x","choices":[{"message":)");
  CHECK(bad.error == call_error::malformed);
  CHECK(bad.error_message.find("malformed response body") == 0);
  auto empty = parse(f, R"({"id":"x","choices":[]})");
  CHECK(empty.error == call_error::malformed);
}

TEST_CASE("openai: streamed tool calls are assembled", "[wire]") {
  openai_format f;
  auto d = f.make_stream_decoder();
  engine::call_result r;
  std::string stream
    = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
      "\"tool_calls\":[{\"index\":0,\"id\":\"call_9\",\"type\":\"function\","
      "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}}]}\n\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":"
      "0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}}]}\n\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":"
      "0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}}]}\n\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
      "\"tool_calls\"}]}\n\n"
      "data: [DONE]\n\n";
  REQUIRE(d->feed(stream, {}, r));
  REQUIRE(d->finish(r));
  CHECK(r.finish_reason == "tool_calls");
  auto call = first_call(r);
  CHECK(call.id == "call_9");
  CHECK(call.name == "get_weather");
  CHECK(call.arguments == R"({"city":"Paris"})");
}

TEST_CASE("openai: an error event in a stream fails it", "[wire]") {
  openai_format f;
  auto d = f.make_stream_decoder();
  engine::call_result r;
  CHECK_FALSE(
    d->feed("data: {\"error\":{\"message\":\"overloaded\"}}\n\n", {}, r));
  CHECK(r.error == call_error::server_error);
  CHECK(r.error_message.find("overloaded") != std::string::npos);
}

TEST_CASE("anthropic: system split out, max_tokens and tools converted",
          "[wire]") {
  anthropic_format f;
  built b;
  build(f, sample_request(), true, "", b);
  CHECK(b.http.target == "/v1/messages");
  CHECK(http::find_header(b.http.headers, "anthropic-version") == "2023-06-01");
  CHECK(str(b.doc["system"]) == "Be brief.");
  simdjson::dom::array messages;
  REQUIRE(b.doc["messages"].get(messages) == simdjson::SUCCESS);
  CHECK(messages.size() == 3);
  CHECK(str(b.doc["messages"].at(0)["role"]) == "user");
  CHECK(str(b.doc["messages"].at(1)["role"]) == "assistant");
  CHECK(num(b.doc["max_tokens"]) == 100);
  CHECK(str(b.doc["stop_sequences"].at(0)) == "END");
  CHECK(str(b.doc["tools"].at(0)["name"]) == "get_weather");
  CHECK(str(b.doc["tools"].at(0)["input_schema"]["type"]) == "object");
  bool stream = false;
  CHECK(b.doc["stream"].get(stream) == simdjson::SUCCESS);
  CHECK(stream);
}

TEST_CASE("anthropic: a message with a tool_use block is read", "[wire]") {
  anthropic_format f;
  auto r = parse(f, R"({"id":"msg_1","type":"message","role":"assistant",
    "content":[{"type":"text","text":"Let me check."},{"type":"tool_use",
    "id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],
    "model":"claude","stop_reason":"tool_use","stop_sequence":null,
    "usage":{"input_tokens":10,"output_tokens":20}})");
  REQUIRE(r.ok());
  CHECK(r.text == "Let me check.");
  CHECK(r.finish_reason == "tool_calls");
  CHECK(r.input_tokens == 10);
  CHECK(r.output_tokens == 20);
  auto call = first_call(r);
  CHECK(call.id == "toolu_1");
  CHECK(call.name == "get_weather");
  CHECK(call.arguments == R"({"city":"Paris"})");
  CHECK(anthropic_format::normalize_stop_reason("max_tokens") == "length");
}

TEST_CASE("anthropic: stream events, pings and an error event", "[wire]") {
  anthropic_format f;
  auto d = f.make_stream_decoder();
  engine::call_result r;
  std::vector<std::string> deltas;
  auto on_chunk = [&](const engine::stream_chunk& c) {
    deltas.emplace_back(c.delta);
  };
  std::string stream
    = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
      "{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":"
      "[],\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\","
      "\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      "event: ping\ndata: {\"type\": \"ping\"}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
      "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
      "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"!\"}}\n\n"
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\","
      "\"index\":0}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":"
      "{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":"
      "{\"output_tokens\":15}}\n\n";
  REQUIRE(d->feed(stream, on_chunk, r));
  CHECK(r.text == "Hello!");
  CHECK(r.input_tokens == 25);
  CHECK(r.output_tokens == 15);
  CHECK(r.finish_reason == "stop");
  CHECK_FALSE(d->finish(r)); // no message_stop yet
  REQUIRE(d->feed("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
                  on_chunk, r));
  CHECK(d->finish(r));

  auto e = f.make_stream_decoder();
  engine::call_result failed;
  CHECK_FALSE(e->feed("event: error\ndata: {\"type\":\"error\",\"error\":"
                      "{\"type\":\"overloaded_error\",\"message\":"
                      "\"Overloaded\"}}\n\n",
                      {}, failed));
  CHECK(failed.error == call_error::server_error);
  CHECK(failed.error_message.find("Overloaded") != std::string::npos);
}

TEST_CASE("gemini: contents, systemInstruction and generationConfig",
          "[wire]") {
  gemini_format f;
  built b;
  build(f, sample_request(), true, "/v1beta", b);
  CHECK(b.http.target
        == "/v1beta/models/model-x:streamGenerateContent?alt=sse");
  CHECK(str(b.doc["contents"].at(0)["role"]) == "user");
  CHECK(str(b.doc["contents"].at(1)["role"]) == "model");
  CHECK(str(b.doc["contents"].at(0)["parts"].at(0)["text"]) == "Hello");
  CHECK(str(b.doc["systemInstruction"]["parts"].at(0)["text"]) == "Be brief.");
  CHECK(num(b.doc["generationConfig"]["maxOutputTokens"]) == 100);
  CHECK(num(b.doc["generationConfig"]["topP"]) == 0.9);
  CHECK(str(b.doc["generationConfig"]["stopSequences"].at(0)) == "END");
  CHECK(str(b.doc["tools"].at(0)["functionDeclarations"].at(0)["name"])
        == "get_weather");
  built plain;
  build(f, sample_request(), false, "/v1beta", plain);
  CHECK(plain.http.target == "/v1beta/models/model-x:generateContent");
}

TEST_CASE("gemini: candidates, usageMetadata and function calls", "[wire]") {
  gemini_format f;
  auto r = parse(f, R"({"candidates":[{"content":{"parts":[{"text":"It is "},
    {"text":"sunny."}],"role":"model"},"finishReason":"STOP","index":0}],
    "usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":3,
    "totalTokenCount":7},"modelVersion":"gemini-1.5-flash"})");
  REQUIRE(r.ok());
  CHECK(r.text == "It is sunny.");
  CHECK(r.finish_reason == "stop");
  CHECK(r.input_tokens == 4);
  CHECK(r.output_tokens == 3);
  auto call = parse(f, R"({"candidates":[{"content":{"parts":[{"functionCall":
    {"name":"get_weather","args":{"city":"Paris"}}}],"role":"model"},
    "finishReason":"STOP"}]})");
  REQUIRE(call.ok());
  CHECK(call.finish_reason == "tool_calls");
  CHECK(first_call(call).name == "get_weather");
  auto blocked = parse(f, R"({"promptFeedback":{"blockReason":"SAFETY"}})");
  REQUIRE(blocked.ok());
  CHECK(blocked.finish_reason == "content_filter");
}

TEST_CASE("cohere: chat v2 request and response", "[wire]") {
  cohere_format f;
  built b;
  build(f, sample_request(), false, "/v2", b);
  CHECK(b.http.target == "/v2/chat");
  CHECK(num(b.doc["p"]) == 0.9);
  CHECK(str(b.doc["stop_sequences"].at(0)) == "END");
  CHECK(str(b.doc["messages"].at(0)["role"]) == "system");
  bool stream = true;
  CHECK(b.doc["stream"].get(stream) == simdjson::SUCCESS);
  CHECK_FALSE(stream);
  auto r = parse(f, R"({"id":"c1","message":{"role":"assistant","content":
    [{"type":"text","text":"Bonjour"}]},"finish_reason":"MAX_TOKENS",
    "usage":{"billed_units":{"input_tokens":5,"output_tokens":2},
    "tokens":{"input_tokens":70,"output_tokens":2}}})");
  REQUIRE(r.ok());
  CHECK(r.text == "Bonjour");
  CHECK(r.finish_reason == "length");
  CHECK(r.input_tokens == 5); // billed units, not raw tokens
  CHECK(r.output_tokens == 2);
}

TEST_CASE("ollama: /api/chat request, response and stream", "[wire]") {
  ollama_format f;
  built b;
  build(f, sample_request(), false, "", b);
  CHECK(b.http.target == "/api/chat");
  bool stream = true;
  CHECK(b.doc["stream"].get(stream) == simdjson::SUCCESS);
  CHECK_FALSE(stream); // Ollama streams unless told not to
  CHECK(num(b.doc["options"]["num_predict"]) == 100);
  CHECK(num(b.doc["options"]["temperature"]) == 0.5);
  auto r = parse(f,
                 R"({"model":"qwen3:1.7b","created_at":"2024-01-01T00:00:00Z",
    "message":{"role":"assistant","content":"Hi"},"done_reason":"stop",
    "done":true,"prompt_eval_count":26,"eval_count":298})");
  REQUIRE(r.ok());
  CHECK(r.text == "Hi");
  CHECK(r.input_tokens == 26);
  CHECK(r.output_tokens == 298);
  auto d = f.make_stream_decoder();
  engine::call_result s;
  REQUIRE(d->feed("{\"message\":{\"role\":\"assistant\",\"content\":\"A\"},"
                  "\"done\":false}\n{\"message\":{\"role\":\"assistant\","
                  "\"content\":\"\"},\"done\":true,\"done_reason\":\"length\","
                  "\"prompt_eval_count\":3,\"eval_count\":1}",
                  {}, s));
  // The last line lacks its newline: finish() still reads it.
  REQUIRE(d->finish(s));
  CHECK(s.text == "A");
  CHECK(s.finish_reason == "length");
  CHECK(s.output_tokens == 1);
  auto e = f.make_stream_decoder();
  engine::call_result failed;
  CHECK_FALSE(e->feed("{\"error\":\"model runner crashed\"}\n", {}, failed));
  CHECK(failed.error == call_error::server_error);
}

TEST_CASE("error classes and the provider's message", "[wire]") {
  CHECK(classify_status(429) == call_error::rate_limited);
  CHECK(classify_status(503) == call_error::server_error);
  CHECK(classify_status(529) == call_error::server_error);
  CHECK(classify_status(408) == call_error::timeout);
  for (int s : {400, 401, 403, 404, 422})
    CHECK(classify_status(s) == call_error::client_error);
  CHECK(upstream_error_message(R"({"error":{"message":"bad key","type":"x"}})")
        == "bad key");
  CHECK(
    upstream_error_message(
      R"({"type":"error","error":{"type":"not_found_error","message":"no model"}})")
    == "no model");
  CHECK(upstream_error_message(R"({"id":"1","message":"invalid request"})")
        == "invalid request");
  CHECK(upstream_error_message(R"({"error":"model 'x' not found"})")
        == "model 'x' not found");
  CHECK(upstream_error_message("Bad Gateway\n") == "Bad Gateway");
  CHECK(upstream_error_message(std::string(1000, 'x'), 10) == "xxxxxxxxxx...");
  std::string text = "key sk-123 and again sk-123.";
  redact(text, "sk-123");
  CHECK(text == "key [redacted] and again [redacted].");
}
