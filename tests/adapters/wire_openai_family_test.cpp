// OpenAI chat completions written from and read into the conversation model:
// tool loops, images, schemas, refusals, and streamed tool-call fragments
// passed on as they arrive. Bodies follow the API reference's examples.
#include "switchyard/providers/make_provider_client.hpp"
#include "switchyard/providers/openai/openai_format.hpp"
#include "test_support.hpp"
#include "wire_test_support.hpp"

#include <atomic>

using namespace switchyard;
using namespace switchyard::testing;
using engine::call_error;
using engine::part_kind;

namespace {

/// An SSE event for one chat completion chunk.
std::string sse(std::string_view json) {
  return "data: " + std::string{json} + "\n\n";
}

/// Feeds `events` one at a time and records how many tool-call fragments
/// had arrived after each, to show that none waits for the end.
std::vector<std::size_t> feed_each(providers::stream_decoder& d,
                                   const std::vector<std::string>& events,
                                   chunk_log& log, engine::call_result& r) {
  std::vector<std::size_t> seen;
  auto cb = log.callback();
  for (const auto& e : events) {
    REQUIRE(d.feed(e, cb, r));
    seen.push_back(log.tool_fragments().size());
  }
  return seen;
}

} // namespace

TEST_CASE("openai: a two-turn tool loop is written with its ids", "[wire]") {
  providers::openai_format f;
  built_request b;
  build_ok(f, tool_loop_request(), false, "/v1", b);
  auto msgs = b.doc["messages"];
  REQUIRE(count(msgs) == 6); // one tool message per result
  CHECK(str(msgs.at(0)["role"]) == "system");
  auto assistant = msgs.at(2);
  CHECK(str(assistant["role"]) == "assistant");
  CHECK(str(assistant["content"]) == "Checking.");
  REQUIRE(count(assistant["tool_calls"]) == 2);
  auto call = assistant["tool_calls"].at(0);
  CHECK(str(call["id"]) == "call_a");
  CHECK(str(call["type"]) == "function");
  CHECK(str(call["function"]["name"]) == "get_weather");
  CHECK(str(call["function"]["arguments"]) == R"({"city":"Paris"})");
  CHECK(str(assistant["tool_calls"].at(1)["function"]["arguments"]) == "{}");
  CHECK(str(msgs.at(3)["role"]) == "tool");
  CHECK(str(msgs.at(3)["tool_call_id"]) == "call_a");
  CHECK(str(msgs.at(3)["content"]) == "18C, sunny");
  CHECK(str(msgs.at(4)["tool_call_id"]) == "call_b");
  CHECK(str(msgs.at(4)["content"]) == "noon");
  CHECK(str(msgs.at(5)["content"]) == "Thanks!");
  auto tools = b.doc["tools"];
  CHECK(str(tools.at(0)["type"]) == "function");
  CHECK(str(tools.at(0)["function"]["name"]) == "get_weather");
  CHECK(str(tools.at(0)["function"]["parameters"]["type"]) == "object");
  CHECK(flag(tools.at(0)["function"]["strict"]));
  CHECK(absent(tools.at(1)["function"]["parameters"]));
  CHECK(absent(tools.at(1)["function"]["strict"]));

  // A tool-only assistant turn has null content, as the API writes it.
  auto req = tool_loop_request();
  req.messages[2].parts.erase(req.messages[2].parts.begin());
  built_request calls_only;
  build_ok(f, req, false, "/v1", calls_only);
  CHECK(calls_only.doc["messages"].at(2)["content"].is_null());
}

TEST_CASE("openai: options and a json_schema response format", "[wire]") {
  providers::openai_format f;
  auto req = tool_loop_request();
  auto& o = req.options;
  o.choice = {engine::tool_choice_mode::named, "get_weather"};
  o.parallel_tool_calls = false;
  o.format = weather_schema();
  o.format.description = "The weather";
  o.seed = 42;
  o.top_p = 0.5;
  o.logprobs = true;
  o.top_logprobs = 3;
  o.reasoning_effort = "low";
  o.user = "user-7";
  req.temperature = 0.25;
  req.stop = {"END"};
  req.messages[1].name = "alice";
  built_request b;
  build_ok(f, req, true, "/v1", b);
  CHECK(str(b.doc["tool_choice"]["type"]) == "function");
  CHECK(str(b.doc["tool_choice"]["function"]["name"]) == "get_weather");
  CHECK_FALSE(flag(b.doc["parallel_tool_calls"]));
  auto rf = b.doc["response_format"];
  CHECK(str(rf["type"]) == "json_schema");
  CHECK(str(rf["json_schema"]["name"]) == "weather");
  CHECK(str(rf["json_schema"]["description"]) == "The weather");
  CHECK(str(rf["json_schema"]["schema"]["properties"]["temp"]["type"])
        == "number");
  CHECK(flag(rf["json_schema"]["strict"]));
  CHECK(num(b.doc["seed"]) == 42);
  CHECK(num(b.doc["top_p"]) == 0.5);
  CHECK(flag(b.doc["logprobs"]));
  CHECK(num(b.doc["top_logprobs"]) == 3);
  CHECK(str(b.doc["reasoning_effort"]) == "low");
  CHECK(str(b.doc["user"]) == "user-7");
  CHECK(num(b.doc["temperature"]) == 0.25);
  CHECK(str(b.doc["stop"].at(0)) == "END");
  CHECK(str(b.doc["messages"].at(1)["name"]) == "alice");
  CHECK(flag(b.doc["stream_options"]["include_usage"]));

  o.choice = {engine::tool_choice_mode::required, {}};
  o.format = {};
  o.format.kind = engine::response_format_kind::json_object;
  built_request r;
  build_ok(f, req, false, "/v1", r);
  CHECK(str(r.doc["tool_choice"]) == "required");
  CHECK(str(r.doc["response_format"]["type"]) == "json_object");
}

TEST_CASE("openai: images go as image_url parts, by URL or data URL",
          "[wire]") {
  providers::openai_format f;
  auto req = tool_loop_request();
  req.messages = {user_with_images({image_base64(), image_url()})};
  built_request b;
  build_ok(f, req, false, "/v1", b);
  auto content = b.doc["messages"].at(0)["content"];
  REQUIRE(count(content) == 3);
  CHECK(str(content.at(0)["type"]) == "text");
  CHECK(str(content.at(0)["text"]) == "What is in these?");
  CHECK(str(content.at(1)["type"]) == "image_url");
  CHECK(str(content.at(1)["image_url"]["url"])
        == "data:image/png;base64,iVBORw0KGgo=");
  CHECK(str(content.at(1)["image_url"]["detail"]) == "low");
  CHECK(str(content.at(2)["image_url"]["url"])
        == "https://example.com/cat.jpg");
  CHECK(absent(content.at(2)["image_url"]["detail"]));
}

TEST_CASE("openai: what chat completions cannot carry is refused, named",
          "[wire]") {
  providers::openai_format f;
  auto req = tool_loop_request();
  req.options.top_k = 40;
  CHECK(build_refused(f, req).find("top_k") == 0);

  req = tool_loop_request();
  req.options.thinking_budget = 2048;
  CHECK(build_refused(f, req).find("thinking") == 0);

  req = tool_loop_request();
  req.messages[3].parts[0].content.push_back(image_base64());
  CHECK(build_refused(f, req).find("tool_result image") == 0);

  req = tool_loop_request();
  req.options.tools[0].parameters = "{not json";
  auto why = build_refused(f, req);
  CHECK(why.find("parameters") != std::string::npos);
  CHECK(why.find("get_weather") != std::string::npos);

  req = tool_loop_request();
  req.messages[2].parts.push_back(image_url());
  CHECK(build_refused(f, req)
        == "messages[2]: an image part in an assistant message cannot be "
           "sent to an OpenAI chat completions upstream");
}

TEST_CASE("openai: a failed tool result says so in its text", "[wire]") {
  providers::openai_format f;
  auto req = tool_loop_request();
  req.messages[3].parts[1].is_error = true; // call_b's
  built_request b;
  build_ok(f, req, false, "/v1", b);
  auto msgs = b.doc["messages"];
  CHECK(str(msgs.at(3)["content"]) == "18C, sunny");
  CHECK(str(msgs.at(4)["tool_call_id"]) == "call_b");
  CHECK(str(msgs.at(4)["content"]) == "Error: noon");
  // Several text blocks: the first carries the mark.
  req.messages[3].parts[1].content.push_back(text_part("clock skewed"));
  built_request blocks;
  build_ok(f, req, false, "/v1", blocks);
  auto content = blocks.doc["messages"].at(4)["content"];
  REQUIRE(count(content) == 2);
  CHECK(str(content.at(0)["text"]) == "Error: noon");
  CHECK(str(content.at(1)["text"]) == "clock skewed");
}

TEST_CASE("openai: another provider's signed reasoning is not sent", "[wire]") {
  providers::openai_format f;
  auto req = tool_loop_request();
  auto& parts = req.messages[2].parts;
  parts.insert(parts.begin(), signed_reasoning());
  built_request b;
  build_ok(f, req, false, "/v1", b);
  CHECK(b.http.body.find("sig-anthropic-1") == std::string::npos);
  CHECK(b.http.body.find("secret thoughts") == std::string::npos);
  CHECK(str(b.doc["messages"].at(2)["content"]) == "Checking.");
  CHECK(count(b.doc["messages"].at(2)["tool_calls"]) == 2);
}

TEST_CASE("openai: a completion's tool calls and reasoning_content are read",
          "[wire]") {
  providers::openai_format f;
  std::string body = R"({"id":"chatcmpl-1","object":"chat.completion",
    "choices":[{"index":0,"message":{"role":"assistant",
    "reasoning_content":"Two lookups.","content":"Let me check.",
    "tool_calls":[{"id":"call_1","type":"function","function":{"name":
    "get_weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"call_2",
    "type":"function","function":{"name":"get_time","arguments":"{}"}}]},
    "finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99}})";
  engine::call_result r;
  REQUIRE(f.parse_response(body, r));
  CHECK(r.text == "Let me check.");
  CHECK(r.finish_reason == "tool_calls");
  REQUIRE(r.content.size() == 3);
  CHECK(r.content[0].kind == part_kind::reasoning);
  CHECK(r.content[0].text == "Two lookups.");
  CHECK(r.content[0].signature.empty());
  CHECK(r.content[1]
        == engine::content_part::make_tool_call("call_1", "get_weather",
                                                R"({"city":"Paris"})"));
  CHECK(r.content[2].id == "call_2");
  CHECK(r.content[2].arguments == "{}");

  // vLLM-style: tool calls with finish_reason "stop".
  std::string vllm = R"({"choices":[{"message":{"content":null,"tool_calls":
    [{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
    "finish_reason":"stop"}]})";
  engine::call_result v;
  REQUIRE(f.parse_response(vllm, v));
  CHECK(v.finish_reason == "tool_calls");
  CHECK(parts_of(v, part_kind::tool_call).size() == 1);
}

TEST_CASE("openai: streamed tool-call fragments with index pass on one by one",
          "[wire]") {
  providers::openai_format f;
  auto d = f.make_stream_decoder();
  std::vector<std::string> events = {
    sse(
      R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})"),
    sse(
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"get_weather","arguments":""}}]}}]})"),
    sse(
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]})"),
    sse(
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}}]})"),
    sse(
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_10","type":"function","function":{"name":"get_time","arguments":"{}"}}]}}]})"),
    sse(R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"),
    sse(R"({"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4}})"),
    "data: [DONE]\n\n"};
  chunk_log log;
  engine::call_result r;
  auto seen = feed_each(*d, events, log, r);
  CHECK(seen == std::vector<std::size_t>{0, 1, 2, 3, 4, 4, 4, 4});
  auto frags = log.tool_fragments();
  REQUIRE(frags.size() == 4);
  CHECK(frags[0].tool_index == 0u);
  CHECK(frags[0].tool_id == "call_9");
  CHECK(frags[0].tool_name == "get_weather");
  CHECK(frags[1].tool_id.empty());
  CHECK(frags[1].tool_arguments == R"({"city":)");
  CHECK(frags[2].tool_arguments == R"("Paris"})");
  CHECK(frags[3].tool_index == 1u);
  CHECK(frags[3].tool_id == "call_10");
  CHECK(log.chunks.back().input_tokens == 9u);
  REQUIRE(d->finish(r));
  CHECK(r.finish_reason == "tool_calls");
  auto calls = parts_of(r, part_kind::tool_call);
  REQUIRE(calls.size() == 2);
  CHECK(calls[0]
        == engine::content_part::make_tool_call("call_9", "get_weather",
                                                R"({"city":"Paris"})"));
  CHECK(calls[1].name == "get_time");
}

TEST_CASE("openai: streamed fragments without index, and calls sent whole",
          "[wire]") {
  providers::openai_format f;
  SECTION("no index: a new id starts a call, none continues the newest") {
    auto d = f.make_stream_decoder();
    std::vector<std::string> events = {
      sse(
        R"({"choices":[{"delta":{"tool_calls":[{"id":"call_x","type":"function","function":{"name":"get_weather","arguments":""}}]}}]})"),
      sse(
        R"({"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"{\"city\":"}}]}}]})"),
      sse(
        R"({"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"\"Rome\"}"}}]}}]})"),
      sse(
        R"({"choices":[{"delta":{"tool_calls":[{"id":"call_y","type":"function","function":{"name":"get_time","arguments":"{}"}}]}}]})"),
      sse(R"({"choices":[{"delta":{},"finish_reason":"tool_calls"}]})"),
      "data: [DONE]\n\n"};
    chunk_log log;
    engine::call_result r;
    CHECK(feed_each(*d, events, log, r)
          == std::vector<std::size_t>{1, 2, 3, 4, 4, 4});
    auto frags = log.tool_fragments();
    CHECK(frags[1].tool_index == 0u);
    CHECK(frags[2].tool_index == 0u);
    CHECK(frags[3].tool_index == 1u);
    CHECK(frags[3].tool_id == "call_y");
    REQUIRE(d->finish(r));
    auto calls = parts_of(r, part_kind::tool_call);
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].arguments == R"({"city":"Rome"})");
    CHECK(calls[1].id == "call_y");
  }
  SECTION("arguments sent whole, two calls in one delta") {
    auto d = f.make_stream_decoder();
    std::vector<std::string> events = {
      sse(
        R"({"choices":[{"delta":{"tool_calls":[{"id":"a1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},{"id":"a2","type":"function","function":{"name":"get_time","arguments":"{}"}}]}}]})"),
      sse(R"({"choices":[{"delta":{},"finish_reason":"stop"}]})"),
      "data: [DONE]\n\n"};
    chunk_log log;
    engine::call_result r;
    CHECK(feed_each(*d, events, log, r) == std::vector<std::size_t>{2, 2, 2});
    auto frags = log.tool_fragments();
    CHECK(frags[0].tool_arguments == R"({"city":"Oslo"})");
    CHECK(frags[1].tool_index == 1u);
    CHECK(frags[1].tool_name == "get_time");
    REQUIRE(d->finish(r));
    CHECK(r.finish_reason == "tool_calls"); // "stop" with calls
    CHECK(parts_of(r, part_kind::tool_call).size() == 2);
  }
}

TEST_CASE("openai: streamed reasoning_content and text", "[wire]") {
  providers::openai_format f;
  auto d = f.make_stream_decoder();
  chunk_log log;
  engine::call_result r;
  REQUIRE(
    d->feed(sse(R"({"choices":[{"delta":{"reasoning_content":"Think"}}]})")
              + sse(R"({"choices":[{"delta":{"reasoning_content":"ing."}}]})")
              + sse(R"({"choices":[{"delta":{"content":"Hi"}}]})")
              + sse(R"({"choices":[{"delta":{},"finish_reason":"stop"}]})")
              + "data: [DONE]\n\n",
            log.callback(), r));
  REQUIRE(log.chunks.size() == 4);
  CHECK(log.chunks[0].reasoning == "Think");
  CHECK(log.chunks[1].reasoning == "ing.");
  CHECK(log.chunks[2].delta == "Hi");
  CHECK(log.chunks[3].finish_reason == "stop");
  REQUIRE(d->finish(r));
  CHECK(r.text == "Hi");
  auto reasoning = parts_of(r, part_kind::reasoning);
  REQUIRE(reasoning.size() == 1);
  CHECK(reasoning[0].text == "Thinking.");
  CHECK(reasoning[0].name == "openai");
}

TEST_CASE("a field the format cannot carry fails the call as client_error "
          "and sends nothing",
          "[wire][providers]") {
  std::atomic<int> requests{0};
  auto server = serve(
    [&](const http::server_request&, std::shared_ptr<http::response_writer> w) {
      ++requests;
      w->respond(200, {{"Content-Type", "application/json"}}, "{}");
    });
  auto http = make_client();
  engine::registry reg;
  engine::provider_spec p;
  p.id = "oa";
  p.kind = engine::provider_kind::openai;
  p.base_url = "http://127.0.0.1:" + std::to_string(server->port()) + "/v1";
  reg.providers.push_back(p);
  engine::model_spec m;
  m.id = "m";
  m.provider = "oa";
  m.upstream = "m";
  reg.models.push_back(m);
  auto client = providers::make_provider_client(p, reg, *http, {});
  REQUIRE(client);
  auto req = tool_loop_request();
  req.options.top_k = 40;
  auto promise = std::make_shared<std::promise<engine::call_result>>();
  auto future = promise->get_future();
  (*client)->call(req, [promise](engine::call_result r) {
    promise->set_value(std::move(r));
  });
  REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
  auto r = future.get();
  CHECK(r.error == call_error::client_error);
  CHECK(r.error_message.find("top_k cannot be sent") != std::string::npos);
  CHECK(r.error_message.find("provider 'oa'") == 0);
  CHECK(requests == 0);
}
