// POST /v1/chat/completions without a server: the request parser into the
// conversation model and the chat.completion body.

#include "gateway_test_registry.hpp"
#include "switchyard/gateway/api_formats.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>
#include <string>

using namespace switchyard;
using namespace switchyard::gateway;
using engine::message_role;
using engine::part_kind;

namespace {

const auto reg = testing::gateway_test_registry();

std::optional<std::string_view> no_headers(std::string_view) {
  return std::nullopt;
}

chat_request parse_ok(const std::string& body) {
  auto parsed = parse_openai_chat(body, no_headers, reg);
  if (auto e = std::get_if<api_error>(&parsed))
    FAIL("refused: " << e->message);
  return std::get<chat_request>(std::move(parsed));
}

api_error parse_error(const std::string& body) {
  auto parsed = parse_openai_chat(body, no_headers, reg);
  if (!std::holds_alternative<api_error>(parsed))
    FAIL("accepted: " << body);
  return std::get<api_error>(std::move(parsed));
}

} // namespace

TEST_CASE("an OpenAI tool loop parses into calls and results with their ids",
          "[chat_completions]") {
  auto r = parse_ok(R"({"model":"auto","messages":[
    {"role":"developer","content":"use tools"},
    {"role":"user","content":"weather in Paris and Rome?","name":"ana"},
    {"role":"assistant","content":null,"tool_calls":[
      {"id":"call_a","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
      {"id":"call_b","type":"function","function":{"name":"weather","arguments":""}}]},
    {"role":"tool","tool_call_id":"call_a","content":"18C"},
    {"role":"tool","tool_call_id":"call_b","content":[{"type":"text","text":"21C"}]}],
    "tools":[{"type":"function","function":{"name":"weather","description":"now","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}}],
    "tool_choice":{"type":"function","function":{"name":"weather"}},
    "parallel_tool_calls":false})");
  const auto& m = r.task.messages;
  REQUIRE(m.size() == 5);
  CHECK(m[0].role == message_role::developer);
  CHECK(m[1].name == "ana");
  REQUIRE(m[2].role == message_role::assistant);
  REQUIRE(m[2].parts.size() == 2);
  CHECK(m[2].parts[0].kind == part_kind::tool_call);
  CHECK(m[2].parts[0].id == "call_a");
  CHECK(m[2].parts[0].name == "weather");
  CHECK(m[2].parts[0].arguments == R"({"city":"Paris"})");
  // No arguments is the empty object, never an empty text.
  CHECK(m[2].parts[1].arguments == "{}");
  REQUIRE(m[3].role == message_role::tool);
  REQUIRE(m[3].parts.size() == 1);
  CHECK(m[3].parts[0].kind == part_kind::tool_result);
  CHECK(m[3].parts[0].id == "call_a");
  REQUIRE(m[3].parts[0].content.size() == 1);
  CHECK(m[3].parts[0].content[0].text == "18C");
  CHECK(m[4].parts[0].content[0].text == "21C");
  const auto& o = r.task.options;
  REQUIRE(o.tools.size() == 1);
  CHECK(o.tools[0].parameters
        == R"({"type":"object","properties":{"city":{"type":"string"}}})");
  CHECK(o.tools[0].strict == true);
  CHECK(o.choice.mode == engine::tool_choice_mode::named);
  CHECK(o.choice.name == "weather");
  CHECK(o.parallel_tool_calls == false);
  // The classifier reads the newest user turn only.
  CHECK(r.task.text == "weather in Paris and Rome?");
}

TEST_CASE("OpenAI image parts: a URL passes, a data URL is split",
          "[chat_completions]") {
  auto r = parse_ok(R"({"model":"auto","messages":[{"role":"user","content":[
    {"type":"text","text":"what is this?"},
    {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}},
    {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]})");
  const auto& parts = r.task.messages[0].parts;
  REQUIRE(parts.size() == 3);
  CHECK(parts[1].kind == part_kind::image);
  CHECK(parts[1].url == "https://example.com/cat.png");
  CHECK(parts[1].detail == "low");
  CHECK(parts[2].url.empty());
  CHECK(parts[2].media_type == "image/png");
  CHECK(parts[2].data == "iVBORw0KGgo=");
  // Requirements come from the conversation, not from the parser.
  CHECK(r.task.required == engine::capability_set{});
  auto bad
    = parse_error(R"({"model":"auto","messages":[{"role":"user","content":[
    {"type":"image_url","image_url":{"url":"file:///etc/passwd"}}]}]})");
  CHECK_THAT(bad.message, Catch::Contains("image_url.url"));
}

TEST_CASE("OpenAI options: json_schema, seed, limits, stop, logprobs",
          "[chat_completions]") {
  auto r = parse_ok(
    R"({"model":"gpt-mini","messages":[{"role":"user","content":"x"}],
    "response_format":{"type":"json_schema","json_schema":{"name":"city","description":"a city","schema":{"type":"object"},"strict":true}},
    "seed":42,"temperature":0.2,"top_p":0.9,"max_tokens":50,"max_completion_tokens":70,
    "stop":["END"],"user":"u-1","logprobs":true,"top_logprobs":3,
    "reasoning_effort":"low","n":1,"stream":true,"stream_options":{"include_usage":true},
    "metadata":{"a":"b"},"store":false,"service_tier":"auto","frequency_penalty":0})");
  const auto& o = r.task.options;
  CHECK(o.format.kind == engine::response_format_kind::json_schema);
  CHECK(o.format.name == "city");
  CHECK(o.format.description == "a city");
  CHECK(o.format.schema == R"({"type":"object"})");
  CHECK(o.format.strict == true);
  CHECK(o.seed == 42);
  CHECK(r.task.temperature == 0.2);
  CHECK(o.top_p == 0.9);
  // max_completion_tokens is the newer name and wins.
  CHECK(r.task.max_output_tokens == 70u);
  CHECK(r.task.stop == std::vector<std::string>{"END"});
  CHECK(o.user == "u-1");
  CHECK(o.logprobs == true);
  CHECK(o.top_logprobs == 3u);
  CHECK(o.reasoning_effort == "low");
  CHECK(r.stream);
  CHECK(r.include_usage);
  CHECK(r.forced_model == "gpt-mini");
}

TEST_CASE("OpenAI fields that would change the answer are refused by name",
          "[chat_completions]") {
  auto msgs = std::string{R"("messages":[{"role":"user","content":"x"}])"};
  auto refused = [&](const std::string& extra, const std::string& named) {
    INFO(extra);
    auto e = parse_error(R"({"model":"auto",)" + msgs + "," + extra + "}");
    CHECK(e.status == 400);
    CHECK(e.type == "invalid_request_error");
    CHECK_THAT(e.message, Catch::Contains(named));
  };
  refused(R"("n":2)", "n");
  refused(R"("audio":{"voice":"alloy"})", "audio");
  refused(R"("modalities":["text","audio"])", "modalities");
  refused(R"("prediction":{"type":"content","content":"x"})", "prediction");
  refused(R"("web_search_options":{})", "web_search_options");
  refused(R"("functions":[{"name":"f"}])", "functions");
  refused(R"("function_call":"auto")", "function_call");
  refused(R"("presence_penalty":0.5)", "presence_penalty");
  refused(R"("logit_bias":{"50256":-100})", "logit_bias");
  refused(R"("store":true)", "store");
  refused(R"("frobnicate":1)", "frobnicate");
  refused(R"("tools":[{"type":"web_search"}])", "tools[0].type 'web_search'");
  refused(
    R"("tools":[{"type":"function","function":{"name":"a"}}],"tool_choice":{"type":"function","function":{"name":"b"}})",
    "'b'");
  refused(R"("tool_choice":"required")", "tool_choice");
  refused(R"("response_format":{"type":"grammar"})", "response_format.type");
  refused(R"("reasoning_effort":"extreme")", "reasoning_effort");
  auto part = [&](const std::string& p, const std::string& named) {
    INFO(p);
    auto e = parse_error(
      R"({"model":"auto","messages":[{"role":"user","content":[)" + p + "]}]}");
    CHECK_THAT(e.message, Catch::Contains(named));
    CHECK_THAT(e.message, Catch::Contains("not supported"));
  };
  part(R"({"type":"input_audio","input_audio":{"data":"AA==","format":"wav"}})",
       "'input_audio'");
  part(R"({"type":"file","file":{"file_id":"f"}})", "'file'");
  part(R"({"type":"hologram"})", "'hologram'");
  auto legacy = parse_error(
    R"({"model":"auto","messages":[{"role":"function","name":"f","content":"x"}]})");
  CHECK_THAT(legacy.message, Catch::Contains("'function'"));
}

TEST_CASE("switchyard.pin_model and X-Switchyard-Pin-Model",
          "[chat_completions]") {
  auto body = [](const std::string& pin) {
    return R"({"model":"auto","switchyard":{"pin_model":)" + pin
           + R"(},"messages":[{"role":"user","content":"x"}]})";
  };
  CHECK(parse_ok(body("false")).pin == pin_mode::off);
  CHECK(parse_ok(body("true")).pin == pin_mode::from_ids);
  auto pinned = parse_ok(body("\"claude\""));
  CHECK(pinned.pin == pin_mode::model);
  CHECK(pinned.pin_model == "claude");
  auto unknown = parse_error(body("\"gpt-7\""));
  CHECK(unknown.status == 404);
  CHECK(unknown.code == "model_not_found");
  header_lookup header
    = [](std::string_view name) -> std::optional<std::string_view> {
    if (name == "x-switchyard-pin-model")
      return std::string_view{"false"};
    return std::nullopt;
  };
  auto parsed = parse_openai_chat(body("\"claude\""), header, reg);
  REQUIRE(std::holds_alternative<chat_request>(parsed));
  // The header wins over the body.
  CHECK(std::get<chat_request>(parsed).pin == pin_mode::off);
}

TEST_CASE("a chat.completion with tool calls: null content, tool_calls and "
          "finish_reason tool_calls",
          "[chat_completions]") {
  task_reply r;
  r.decision_id = 0x1234;
  r.model = 1;
  r.finish_reason = "stop"; // some upstreams say stop with calls
  r.content.push_back(engine::content_part::make_tool_call(
    "call_1-sy00000000", "weather", R"({"city":"Paris"})"));
  engine::content_part thinking;
  thinking.kind = part_kind::reasoning;
  thinking.text = "secret";
  thinking.name = "anthropic";
  r.content.push_back(thinking);
  r.input_tokens = 10;
  r.output_tokens = 5;
  auto body = openai_completion_body(r, reg, 1'700'000'000);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  REQUIRE(p.parse(body).get(doc) == simdjson::SUCCESS);
  auto msg = doc["choices"].at(0)["message"];
  CHECK(msg["content"].is_null());
  std::string_view s;
  REQUIRE(msg["tool_calls"].at(0)["id"].get(s) == simdjson::SUCCESS);
  CHECK(s == "call_1-sy00000000");
  CHECK(std::string_view{msg["tool_calls"].at(0)["type"]} == "function");
  CHECK(std::string_view{msg["tool_calls"].at(0)["function"]["name"]}
        == "weather");
  CHECK(std::string_view{msg["tool_calls"].at(0)["function"]["arguments"]}
        == R"({"city":"Paris"})");
  CHECK(std::string_view{doc["choices"].at(0)["finish_reason"]}
        == "tool_calls");
  CHECK(std::string_view{doc["model"]} == "claude");
  // Reasoning is the model's own: not in an OpenAI body.
  CHECK(body.find("secret") == std::string::npos);
}
