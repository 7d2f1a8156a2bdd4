// The SSE encoders of /v1/chat/completions and /v1/messages, driven the way
// the streaming handler drives them: text and tool-call fragments
// interleaved, reasoning from different upstreams.

#include "switchyard/gateway/stream_format.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>
#include <string>
#include <vector>

using namespace switchyard::gateway;

namespace {

/// The JSON payloads of `sse` with the event names (empty for data-only).
struct sse_item {
  std::string event;
  std::string data;
};

std::vector<sse_item> split_sse(const std::string& sse) {
  std::vector<sse_item> out;
  std::size_t pos = 0;
  while (pos < sse.size()) {
    auto end = sse.find("\n\n", pos);
    REQUIRE(end != std::string::npos);
    auto block = sse.substr(pos, end - pos);
    sse_item item;
    if (block.rfind("event: ", 0) == 0) {
      auto nl = block.find('\n');
      item.event = block.substr(7, nl - 7);
      block = block.substr(nl + 1);
    }
    REQUIRE(block.rfind("data: ", 0) == 0);
    item.data = block.substr(6);
    out.push_back(item);
    pos = end + 2;
  }
  return out;
}

} // namespace

TEST_CASE("OpenAI chunks: text and two tool calls' fragments interleaved, id "
          "and name on each call's first fragment only",
          "[stream]") {
  auto enc = make_openai_encoder("chatcmpl-1", "gpt-mini", 1700000000, true);
  std::string sse = enc->start(0);
  sse += enc->text("Let me look.");
  sse += enc->tool_call(0, "call_a-sy01234567", "weather", "{\"ci");
  sse += enc->tool_call(1, "call_b-sy01234567", "time", "");
  sse += enc->tool_call(0, {}, {}, "ty\":\"Paris\"}");
  sse += enc->reasoning("hidden", "sig", "anthropic");
  sse += enc->tool_call(1, {}, {}, "{}");
  sse += enc->finish("stop", 12, 7);
  auto items = split_sse(sse);
  REQUIRE(items.size() == 9); // 7 chunks + usage + [DONE]; reasoning: none
  simdjson::dom::parser p;
  simdjson::dom::element e;
  REQUIRE(p.parse(items[2].data).get(e) == simdjson::SUCCESS);
  auto call = e["choices"].at(0)["delta"]["tool_calls"].at(0);
  CHECK(int64_t(call["index"]) == 0);
  CHECK(std::string_view{call["id"]} == "call_a-sy01234567");
  CHECK(std::string_view{call["type"]} == "function");
  CHECK(std::string_view{call["function"]["name"]} == "weather");
  CHECK(std::string_view{call["function"]["arguments"]} == "{\"ci");
  REQUIRE(p.parse(items[4].data).get(e) == simdjson::SUCCESS);
  auto more = e["choices"].at(0)["delta"]["tool_calls"].at(0);
  CHECK(int64_t(more["index"]) == 0);
  CHECK(more["id"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(more["function"]["name"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(std::string_view{more["function"]["arguments"]} == "ty\":\"Paris\"}");
  REQUIRE(p.parse(items[6].data).get(e) == simdjson::SUCCESS);
  // An upstream that says "stop" after tool calls: the client sees
  // tool_calls.
  CHECK(std::string_view{e["choices"].at(0)["finish_reason"]} == "tool_calls");
  CHECK(sse.find("hidden") == std::string::npos);
  CHECK_THAT(items[7].data, Catch::Contains("\"total_tokens\":19"));
  CHECK(items[8].data == "[DONE]");
}

TEST_CASE("Anthropic events: blocks open one at a time with increasing "
          "indexes as text and tool calls interleave",
          "[stream]") {
  auto enc = make_anthropic_encoder("msg_1", "claude");
  std::string sse = enc->start(30);
  sse += enc->reasoning("hmm", {}, "anthropic");
  sse += enc->reasoning({}, "sig==", "anthropic");
  sse += enc->reasoning("not mine", {}, "gemini");
  sse += enc->text("Checking ");
  sse += enc->text("both.");
  sse += enc->tool_call(0, "toolu_a", "weather", "");
  sse += enc->tool_call(0, {}, {}, "{\"city\":");
  sse += enc->tool_call(0, {}, {}, "\"Paris\"}");
  sse += enc->tool_call(1, "toolu_b", "time", "{}");
  sse += enc->finish("tool_calls", 30, 9);
  auto items = split_sse(sse);
  std::vector<std::string> events;
  for (const auto& i : items)
    events.push_back(i.event);
  CHECK(events
        == std::vector<std::string>{
          "message_start", "content_block_start", "content_block_delta",
          "content_block_delta", "content_block_stop", "content_block_start",
          "content_block_delta", "content_block_delta", "content_block_stop",
          "content_block_start", "content_block_delta", "content_block_delta",
          "content_block_stop", "content_block_start", "content_block_delta",
          "content_block_stop", "message_delta", "message_stop"});
  CHECK_THAT(
    items[1].data,
    Catch::Contains(R"("index":0,"content_block":{"type":"thinking")"));
  CHECK_THAT(items[2].data,
             Catch::Contains(R"("type":"thinking_delta","thinking":"hmm")"));
  CHECK_THAT(
    items[3].data,
    Catch::Contains(R"("type":"signature_delta","signature":"sig==")"));
  CHECK_THAT(items[5].data,
             Catch::Contains(R"("index":1,"content_block":{"type":"text")"));
  CHECK_THAT(
    items[9].data,
    Catch::Contains(
      R"("index":2,"content_block":{"type":"tool_use","id":"toolu_a","name":"weather","input":{}})"));
  CHECK_THAT(
    items[10].data,
    Catch::Contains(
      R"("index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"})"));
  CHECK_THAT(
    items[13].data,
    Catch::Contains(
      R"("index":3,"content_block":{"type":"tool_use","id":"toolu_b")"));
  CHECK_THAT(
    items[14].data,
    Catch::Contains(
      R"("index":3,"delta":{"type":"input_json_delta","partial_json":"{}"})"));
  CHECK_THAT(items[16].data, Catch::Contains(R"("stop_reason":"tool_use")"));
  CHECK(sse.find("not mine") == std::string::npos);
}

TEST_CASE("a late fragment of an earlier tool call keeps its own block index",
          "[stream]") {
  auto enc = make_anthropic_encoder("msg_2", "claude");
  std::string sse = enc->start(0);
  sse += enc->tool_call(0, "a", "f", "{");
  sse += enc->tool_call(1, "b", "g", "{}");
  sse += enc->tool_call(0, {}, {}, "}");
  auto items = split_sse(sse);
  CHECK_THAT(
    items.back().data,
    Catch::Contains(
      R"("index":0,"delta":{"type":"input_json_delta","partial_json":"}"})"));
}

TEST_CASE("errors end a stream without a clean finish", "[stream]") {
  auto openai = make_openai_encoder("c", "m", 0, false);
  auto e1 = openai->error("api_error", "upstream died");
  CHECK(e1
        == "data: {\"error\":{\"message\":\"upstream "
           "died\",\"type\":\"api_error\"}}\n\n");
  auto anthropic = make_anthropic_encoder("m", "c");
  auto e2 = anthropic->error("api_error", "upstream died");
  CHECK_THAT(e2, Catch::StartsWith("event: error\ndata: {\"type\":\"error\""));
  auto whole = make_anthropic_encoder("m", "c");
  auto redacted = whole->redacted_reasoning("opaque", "anthropic");
  CHECK_THAT(
    redacted,
    Catch::Contains(
      R"("content_block":{"type":"redacted_thinking","data":"opaque"})"));
  CHECK(whole->redacted_reasoning("opaque", "gemini").empty());
}
