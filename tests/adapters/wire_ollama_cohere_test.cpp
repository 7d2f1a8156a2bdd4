// Ollama /api/chat and Cohere chat v2 written from and read into the
// conversation model: tool loops, images, schemas, refusals, and streamed
// tool calls passed on as they arrive. Bodies follow the APIs' references.
#include "switchyard/providers/cohere/cohere_format.hpp"
#include "switchyard/providers/ollama/ollama_format.hpp"
#include "wire_test_support.hpp"

using namespace switchyard;
using namespace switchyard::testing;
using engine::part_kind;

namespace {

/// Feeds `pieces` one at a time; how many tool-call fragments had arrived
/// after each.
std::vector<std::size_t> feed_each(providers::stream_decoder& d,
                                   const std::vector<std::string>& pieces,
                                   chunk_log& log, engine::call_result& r) {
  std::vector<std::size_t> seen;
  auto cb = log.callback();
  for (const auto& p : pieces) {
    REQUIRE(d.feed(p, cb, r));
    seen.push_back(log.tool_fragments().size());
  }
  return seen;
}

/// The shared tool loop without its strict tool, which Ollama refuses.
engine::call_request ollama_loop() {
  auto req = tool_loop_request();
  req.options.tools[0].strict.reset();
  return req;
}

/// The shared tool loop with its first result (for call_a) failed.
engine::call_request failed_result_loop() {
  auto req = tool_loop_request();
  req.messages[3].parts[0].is_error = true;
  return req;
}

std::string cohere_event(std::string_view type, std::string_view json) {
  return "event: " + std::string{type} + "\ndata: " + std::string{json}
         + "\n\n";
}

} // namespace

// -- Ollama -------------------------------------------------------------------

TEST_CASE("ollama: a two-turn tool loop, arguments as objects", "[wire]") {
  providers::ollama_format f;
  auto req = ollama_loop();
  req.messages[0].role = engine::message_role::developer;
  req.options.format = weather_schema();
  req.options.top_k = 20;
  req.options.seed = 7;
  req.stop = {"END"};
  built_request b;
  build_ok(f, req, true, "", b);
  CHECK(b.http.target == "/api/chat");
  CHECK(flag(b.doc["stream"]));
  auto msgs = b.doc["messages"];
  REQUIRE(count(msgs) == 6);
  CHECK(str(msgs.at(0)["role"]) == "system"); // no developer role here
  auto assistant = msgs.at(2);
  CHECK(str(assistant["content"]) == "Checking.");
  auto call = assistant["tool_calls"].at(0)["function"];
  CHECK(str(call["name"]) == "get_weather");
  CHECK(str(call["arguments"]["city"]) == "Paris"); // an object
  simdjson::dom::object empty;
  REQUIRE(assistant["tool_calls"].at(1)["function"]["arguments"].get(empty)
          == simdjson::SUCCESS);
  CHECK(empty.size() == 0);
  CHECK(str(msgs.at(3)["role"]) == "tool");
  CHECK(str(msgs.at(3)["content"]) == "18C, sunny");
  // No name on the result: found from the call with its id.
  CHECK(str(msgs.at(3)["tool_name"]) == "get_weather");
  CHECK(str(msgs.at(4)["tool_name"]) == "get_time");
  auto tools = b.doc["tools"];
  CHECK(str(tools.at(0)["function"]["name"]) == "get_weather");
  CHECK(str(tools.at(1)["function"]["parameters"]["type"]) == "object");
  CHECK(str(b.doc["format"]["properties"]["temp"]["type"]) == "number");
  auto opts = b.doc["options"];
  CHECK(num(opts["top_k"]) == 20);
  CHECK(num(opts["seed"]) == 7);
  CHECK(num(opts["num_predict"]) == 200);
  CHECK(str(opts["stop"].at(0)) == "END");

  req.options.format = {};
  req.options.format.kind = engine::response_format_kind::json_object;
  built_request j;
  build_ok(f, req, false, "", j);
  CHECK(str(j.doc["format"]) == "json");
}

TEST_CASE("ollama: images go as base64, a URL image is refused", "[wire]") {
  providers::ollama_format f;
  auto req = ollama_loop();
  auto data_url = image_base64();
  data_url.url = "data:image/jpeg;base64,/9j/4AAQ";
  data_url.data.clear();
  req.messages = {user_with_images({image_base64(), data_url})};
  built_request b;
  build_ok(f, req, false, "", b);
  auto user = b.doc["messages"].at(0);
  CHECK(str(user["content"]) == "What is in these?");
  REQUIRE(count(user["images"]) == 2);
  CHECK(str(user["images"].at(0)) == "iVBORw0KGgo=");
  CHECK(str(user["images"].at(1)) == "/9j/4AAQ");

  req.messages = {user_with_images({image_url()})};
  auto why = build_refused(f, req);
  CHECK(why.find("image_url cannot be sent to Ollama") == 0);
  CHECK(why.find("base64") != std::string::npos);
}

TEST_CASE("ollama: what /api/chat cannot carry is refused, named", "[wire]") {
  providers::ollama_format f;
  auto refused = [&](auto change) {
    auto req = ollama_loop();
    change(req);
    return build_refused(f, req);
  };
  CHECK(refused([](auto& r) {
          r.options.choice.mode = engine::tool_choice_mode::required;
        }).find("tool_choice")
        == 0);
  CHECK(refused([](auto& r) {
          r.options.parallel_tool_calls = false;
        }).find("parallel_tool_calls")
        == 0);
  CHECK(refused([](auto& r) {
          r.options.top_logprobs = 2;
        }).find("logprobs")
        == 0);
  CHECK(refused([](auto& r) {
          r.options.reasoning_effort = "high";
        }).find("reasoning_effort")
        == 0);
  CHECK(refused([](auto& r) {
          r.options.thinking_budget = 1024;
        }).find("thinking")
        == 0);
  CHECK(refused([](auto& r) {
          r.messages[3].parts[1].content.push_back(image_base64());
        }).find("tool_result image")
        == 0);
  auto why = refused([](auto& r) {
    r.messages[2].parts[1].arguments = "[1]";
  });
  CHECK(why.find("arguments") != std::string::npos);
  CHECK(why.find("call_a") != std::string::npos);
  // tool_choice auto is what Ollama does anyway.
  auto req = ollama_loop();
  req.options.choice.mode = engine::tool_choice_mode::auto_;
  built_request b;
  build_ok(f, req, false, "", b);
}

TEST_CASE("ollama: a strict tool is refused, named", "[wire]") {
  providers::ollama_format f;
  auto req = ollama_loop();
  req.options.tools[1].strict = true;
  CHECK(build_refused(f, req)
        == "tools['get_time'].strict cannot be sent to Ollama");
  req.options.tools[1].strict = false; // unset or false is what Ollama does
  built_request b;
  build_ok(f, req, false, "", b);
  CHECK(b.http.body.find("strict") == std::string::npos);
}

TEST_CASE("ollama: a failed tool result says so in its text", "[wire]") {
  providers::ollama_format f;
  auto req = failed_result_loop();
  req.options.tools[0].strict.reset();
  built_request b;
  build_ok(f, req, false, "", b);
  auto msgs = b.doc["messages"];
  CHECK(str(msgs.at(3)["content"]) == "Error: 18C, sunny");
  CHECK(str(msgs.at(4)["content"]) == "noon"); // the other one did not fail
}

TEST_CASE("ollama: whole tool calls and thinking are read, with ids",
          "[wire]") {
  providers::ollama_format f;
  std::string body = R"({"model":"qwen3","created_at":"2025-01-01T00:00:00Z",
    "message":{"role":"assistant","content":"","thinking":"Need weather.",
    "tool_calls":[{"function":{"name":"get_weather","arguments":
    {"city":"Paris"}}},{"function":{"name":"get_time","arguments":{}}}]},
    "done_reason":"stop","done":true,"prompt_eval_count":30,"eval_count":12})";
  engine::call_result r;
  REQUIRE(f.parse_response(body, r));
  CHECK(r.finish_reason == "tool_calls");
  CHECK(r.input_tokens == 30);
  REQUIRE(r.content.size() == 3);
  CHECK(r.content[0].kind == part_kind::reasoning);
  CHECK(r.content[0].text == "Need weather.");
  CHECK(r.content[0].name == "ollama");
  CHECK(r.content[1]
        == engine::content_part::make_tool_call("call_0", "get_weather",
                                                R"({"city":"Paris"})"));
  CHECK(r.content[2].id == "call_1");
  CHECK(r.content[2].arguments == "{}");
}

TEST_CASE("ollama: streamed calls arrive whole, line by line, ids unique",
          "[wire]") {
  providers::ollama_format f;
  auto d = f.make_stream_decoder();
  std::vector<std::string> lines = {
    R"({"message":{"role":"assistant","content":"","thinking":"Hmm."},"done":false})"
    "\n",
    R"({"message":{"role":"assistant","content":"Checking."},"done":false})"
    "\n",
    R"({"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}},{"function":{"name":"get_time","arguments":{}}}]},"done":false})"
    "\n",
    R"({"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Rome"}}}]},"done":false})"
    "\n",
    R"({"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":9})"
    "\n"};
  chunk_log log;
  engine::call_result r;
  CHECK(feed_each(*d, lines, log, r)
        == std::vector<std::size_t>{0, 0, 2, 3, 3});
  CHECK(log.chunks[0].reasoning == "Hmm.");
  CHECK(log.chunks[1].delta == "Checking.");
  auto frags = log.tool_fragments();
  CHECK(frags[0].tool_id == "call_0");
  CHECK(frags[0].tool_name == "get_weather");
  CHECK(frags[0].tool_arguments == R"({"city":"Paris"})");
  CHECK(frags[1].tool_index == 1u);
  CHECK(frags[2].tool_id == "call_2");
  CHECK(frags[2].tool_arguments == R"({"city":"Rome"})");
  CHECK(log.chunks.back().finish_reason == "tool_calls");
  CHECK(log.chunks.back().output_tokens == 9u);
  REQUIRE(d->finish(r));
  CHECK(r.text == "Checking.");
  auto calls = parts_of(r, part_kind::tool_call);
  REQUIRE(calls.size() == 3);
  CHECK(calls[2].id == "call_2");
  CHECK(parts_of(r, part_kind::reasoning).at(0).text == "Hmm.");
}

// -- Cohere -------------------------------------------------------------------

TEST_CASE("cohere: a two-turn tool loop with its plan and ids", "[wire]") {
  providers::cohere_format f;
  auto req = tool_loop_request();
  auto plan = engine::content_part{};
  plan.kind = part_kind::reasoning;
  plan.text = "I will look up the weather.";
  plan.name = "cohere";
  auto& parts = req.messages[2].parts;
  parts.insert(parts.begin(), {signed_reasoning(), plan});
  auto& o = req.options;
  o.choice.mode = engine::tool_choice_mode::required;
  o.format = weather_schema();
  o.seed = 3;
  o.top_p = 0.8;
  o.top_k = 10;
  req.stop = {"END"};
  built_request b;
  build_ok(f, req, true, "/v2", b);
  CHECK(b.http.target == "/v2/chat");
  auto msgs = b.doc["messages"];
  REQUIRE(count(msgs) == 6);
  auto assistant = msgs.at(2);
  CHECK(str(assistant["role"]) == "assistant");
  CHECK(str(assistant["content"]) == "Checking.");
  CHECK(str(assistant["tool_plan"]) == "I will look up the weather.");
  auto call = assistant["tool_calls"].at(0);
  CHECK(str(call["id"]) == "call_a");
  CHECK(str(call["type"]) == "function");
  CHECK(str(call["function"]["name"]) == "get_weather");
  CHECK(str(call["function"]["arguments"]) == R"({"city":"Paris"})");
  CHECK(b.http.body.find("sig-anthropic-1") == std::string::npos);
  CHECK(str(msgs.at(3)["role"]) == "tool");
  CHECK(str(msgs.at(3)["tool_call_id"]) == "call_a");
  CHECK(str(msgs.at(3)["content"]) == "18C, sunny");
  CHECK(str(msgs.at(4)["tool_call_id"]) == "call_b");
  CHECK(str(b.doc["tools"].at(0)["function"]["name"]) == "get_weather");
  CHECK(flag(b.doc["strict_tools"]));
  CHECK(str(b.doc["tool_choice"]) == "REQUIRED");
  CHECK(str(b.doc["response_format"]["type"]) == "json_object");
  CHECK(str(b.doc["response_format"]["json_schema"]["type"]) == "object");
  CHECK(num(b.doc["seed"]) == 3);
  CHECK(num(b.doc["p"]) == 0.8);
  CHECK(num(b.doc["k"]) == 10);
  CHECK(str(b.doc["stop_sequences"].at(0)) == "END");
  CHECK(flag(b.doc["stream"]));
}

TEST_CASE("cohere: a failed tool result says so in its text", "[wire]") {
  providers::cohere_format f;
  auto req = failed_result_loop();
  built_request b;
  build_ok(f, req, false, "/v2", b);
  auto msgs = b.doc["messages"];
  CHECK(str(msgs.at(3)["content"]) == "Error: 18C, sunny");
  CHECK(str(msgs.at(4)["content"]) == "noon");
  // Several text blocks: the first carries the mark.
  req.messages[3].parts[0].content.push_back(text_part("wind 3 m/s"));
  built_request blocks;
  build_ok(f, req, false, "/v2", blocks);
  auto content = blocks.doc["messages"].at(3)["content"];
  REQUIRE(count(content) == 2);
  CHECK(str(content.at(0)["text"]) == "Error: 18C, sunny");
  CHECK(str(content.at(1)["text"]) == "wind 3 m/s");
}

TEST_CASE("cohere: images as image_url parts, by URL or data URL", "[wire]") {
  providers::cohere_format f;
  auto req = tool_loop_request();
  req.messages = {user_with_images({image_base64(), image_url()})};
  built_request b;
  build_ok(f, req, false, "/v2", b);
  auto content = b.doc["messages"].at(0)["content"];
  REQUIRE(count(content) == 3);
  CHECK(str(content.at(0)["text"]) == "What is in these?");
  CHECK(str(content.at(1)["type"]) == "image_url");
  CHECK(str(content.at(1)["image_url"]["url"])
        == "data:image/png;base64,iVBORw0KGgo=");
  CHECK(str(content.at(2)["image_url"]["url"])
        == "https://example.com/cat.jpg");
}

TEST_CASE("cohere: what chat v2 cannot carry is refused, named", "[wire]") {
  providers::cohere_format f;
  auto req = tool_loop_request();
  req.options.choice = {engine::tool_choice_mode::named, "get_weather"};
  CHECK(build_refused(f, req).find("tool_choice") == 0);
  req = tool_loop_request();
  req.options.parallel_tool_calls = false;
  CHECK(build_refused(f, req).find("parallel_tool_calls") == 0);
  req = tool_loop_request();
  req.options.logprobs = true;
  CHECK(build_refused(f, req).find("logprobs") == 0);
  req = tool_loop_request();
  req.options.thinking_budget = 512;
  CHECK(build_refused(f, req).find("thinking") == 0);
  req = tool_loop_request();
  req.messages[3].parts[0].content.push_back(image_url());
  CHECK(build_refused(f, req).find("tool_result image") == 0);
}

TEST_CASE("cohere: a response's tool plan and calls are read", "[wire]") {
  providers::cohere_format f;
  std::string body = R"({"id":"c1","message":{"role":"assistant",
    "tool_plan":"I will check the weather.","tool_calls":[{"id":"get_weather_1",
    "type":"function","function":{"name":"get_weather","arguments":
    "{\"city\":\"Paris\"}"}}]},"finish_reason":"TOOL_CALL",
    "usage":{"billed_units":{"input_tokens":20,"output_tokens":10},
    "tokens":{"input_tokens":900,"output_tokens":40}}})";
  engine::call_result r;
  REQUIRE(f.parse_response(body, r));
  CHECK(r.finish_reason == "tool_calls");
  CHECK(r.input_tokens == 20);
  REQUIRE(r.content.size() == 2);
  CHECK(r.content[0].kind == part_kind::reasoning);
  CHECK(r.content[0].text == "I will check the weather.");
  CHECK(r.content[0].name == "cohere");
  CHECK(r.content[1]
        == engine::content_part::make_tool_call("get_weather_1", "get_weather",
                                                R"({"city":"Paris"})"));
}

TEST_CASE("cohere: streamed plan and tool-call events pass on one by one",
          "[wire]") {
  providers::cohere_format f;
  auto d = f.make_stream_decoder();
  std::vector<std::string> events = {
    cohere_event(
      "message-start",
      R"({"type":"message-start","id":"x","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}})"),
    cohere_event(
      "tool-plan-delta",
      R"({"type":"tool-plan-delta","delta":{"message":{"tool_plan":"I will "}}})"),
    cohere_event(
      "tool-plan-delta",
      R"({"type":"tool-plan-delta","delta":{"message":{"tool_plan":"check."}}})"),
    cohere_event(
      "tool-call-start",
      R"({"type":"tool-call-start","index":0,"delta":{"message":{"tool_calls":{"id":"get_weather_x","type":"function","function":{"name":"get_weather","arguments":""}}}}})"),
    cohere_event(
      "tool-call-delta",
      R"({"type":"tool-call-delta","index":0,"delta":{"message":{"tool_calls":{"function":{"arguments":"{\"city\":"}}}}})"),
    // Without an index: it continues the newest call.
    cohere_event(
      "tool-call-delta",
      R"({"type":"tool-call-delta","delta":{"message":{"tool_calls":{"function":{"arguments":"\"Paris\"}"}}}}})"),
    cohere_event("tool-call-end", R"({"type":"tool-call-end","index":0})"),
    cohere_event(
      "tool-call-start",
      R"({"type":"tool-call-start","index":1,"delta":{"message":{"tool_calls":{"id":"get_time_y","type":"function","function":{"name":"get_time","arguments":"{}"}}}}})"),
    cohere_event("tool-call-end", R"({"type":"tool-call-end","index":1})"),
    cohere_event(
      "message-end",
      R"({"type":"message-end","delta":{"finish_reason":"TOOL_CALL","usage":{"billed_units":{"input_tokens":8,"output_tokens":6},"tokens":{"input_tokens":80,"output_tokens":6}}}})")};
  chunk_log log;
  engine::call_result r;
  CHECK(feed_each(*d, events, log, r)
        == std::vector<std::size_t>{0, 0, 0, 1, 2, 3, 3, 4, 4, 4});
  CHECK(log.chunks[0].reasoning == "I will ");
  CHECK(log.chunks[1].reasoning == "check.");
  auto frags = log.tool_fragments();
  CHECK(frags[0].tool_id == "get_weather_x");
  CHECK(frags[0].tool_name == "get_weather");
  CHECK(frags[2].tool_index == 0u);
  CHECK(frags[2].tool_arguments == R"("Paris"})");
  CHECK(frags[3].tool_index == 1u);
  CHECK(frags[3].tool_arguments == "{}");
  CHECK(log.chunks.back().finish_reason == "tool_calls");
  CHECK(log.chunks.back().input_tokens == 8u);
  REQUIRE(d->finish(r));
  REQUIRE(r.content.size() == 3);
  CHECK(r.content[0].text == "I will check.");
  CHECK(r.content[1]
        == engine::content_part::make_tool_call("get_weather_x", "get_weather",
                                                R"({"city":"Paris"})"));
  CHECK(r.content[2].id == "get_time_y");
}
