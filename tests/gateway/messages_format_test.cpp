// POST /v1/messages without a server: Anthropic's request into the
// conversation model and the message body.

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
  auto parsed = parse_anthropic_messages(body, no_headers, reg);
  if (auto e = std::get_if<api_error>(&parsed))
    FAIL("refused: " << e->message);
  return std::get<chat_request>(std::move(parsed));
}

api_error parse_error(const std::string& body) {
  auto parsed = parse_anthropic_messages(body, no_headers, reg);
  if (!std::holds_alternative<api_error>(parsed))
    FAIL("accepted: " << body);
  return std::get<api_error>(std::move(parsed));
}

simdjson::dom::element parse_json(simdjson::dom::parser& p,
                                  const std::string& s) {
  simdjson::dom::element e;
  INFO(s);
  REQUIRE(p.parse(s).get(e) == simdjson::SUCCESS);
  return e;
}

} // namespace

TEST_CASE("an Anthropic tool loop: tool_use, then tool_result blocks become a "
          "tool message followed by the turn's other blocks",
          "[messages]") {
  auto r = parse_ok(R"({"model":"auto","max_tokens":100,
    "system":[{"type":"text","text":"be brief","cache_control":{"type":"ephemeral"}}],
    "messages":[
      {"role":"user","content":"weather?"},
      {"role":"assistant","content":[
        {"type":"thinking","thinking":"look it up","signature":"sig=="},
        {"type":"redacted_thinking","data":"opaque"},
        {"type":"text","text":"checking"},
        {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}}]},
      {"role":"user","content":[
        {"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"18C"}],"is_error":true},
        {"type":"text","text":"and now Rome"}]}],
    "tools":[{"name":"weather","description":"now","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],
    "tool_choice":{"type":"any","disable_parallel_tool_use":true},
    "metadata":{"user_id":"u-9"},"top_k":5,"thinking":{"type":"enabled","budget_tokens":2048}})");
  const auto& m = r.task.messages;
  REQUIRE(m.size() == 5);
  CHECK(m[0].role == message_role::system);
  CHECK(m[0].text() == "be brief");
  CHECK(r.task.options.system_cache_control == R"({"type":"ephemeral"})");
  REQUIRE(m[2].role == message_role::assistant);
  REQUIRE(m[2].parts.size() == 4);
  CHECK(m[2].parts[0].kind == part_kind::reasoning);
  CHECK(m[2].parts[0].name == "anthropic");
  CHECK(m[2].parts[0].text == "look it up");
  CHECK(m[2].parts[0].signature == "sig==");
  CHECK(m[2].parts[1].redacted);
  CHECK(m[2].parts[1].data == "opaque");
  CHECK(m[2].parts[2].text == "checking");
  CHECK(m[2].parts[3].kind == part_kind::tool_call);
  CHECK(m[2].parts[3].arguments == R"({"city":"Paris"})");
  REQUIRE(m[3].role == message_role::tool);
  REQUIRE(m[3].parts.size() == 1);
  CHECK(m[3].parts[0].id == "toolu_1");
  CHECK(m[3].parts[0].is_error);
  CHECK(m[3].parts[0].content[0].text == "18C");
  CHECK(m[4].role == message_role::user);
  CHECK(m[4].text() == "and now Rome");
  CHECK(r.task.text == "and now Rome");
  const auto& o = r.task.options;
  CHECK(o.tools[0].parameters == R"({"type":"object"})");
  CHECK(o.tools[0].cache_control == R"({"type":"ephemeral"})");
  CHECK(o.choice.mode == engine::tool_choice_mode::required);
  CHECK(o.parallel_tool_calls == false);
  CHECK(o.user == "u-9");
  CHECK(o.top_k == 5u);
  CHECK(o.thinking_budget == 2048u);
}

TEST_CASE("Anthropic image blocks, base64 and URL", "[messages]") {
  auto r = parse_ok(
    R"({"model":"auto","max_tokens":10,"messages":[{"role":"user","content":[
    {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}},
    {"type":"image","source":{"type":"url","url":"https://example.com/a.png"}},
    {"type":"text","text":"compare"}]}]})");
  const auto& parts = r.task.messages[0].parts;
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].kind == part_kind::image);
  CHECK(parts[0].media_type == "image/jpeg");
  CHECK(parts[0].data == "/9j/4AAQ");
  CHECK(parts[1].url == "https://example.com/a.png");
}

TEST_CASE("Anthropic blocks and tools switchyard cannot carry are refused by "
          "name",
          "[messages]") {
  auto refused = [](const std::string& body, const std::string& named) {
    INFO(body);
    auto e = parse_error(body);
    CHECK(e.status == 400);
    CHECK_THAT(e.message, Catch::Contains(named));
  };
  refused(
    R"({"model":"auto","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]}]})",
    "'document'");
  refused(
    R"({"model":"auto","max_tokens":10,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]})",
    "'web_search_20250305'");
  refused(
    R"({"model":"auto","max_tokens":10,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"a","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"b"}})",
    "'b'");
  refused(
    R"({"model":"auto","max_tokens":10,"messages":[{"role":"user","content":"x"}],"mcp_servers":[]})",
    "mcp_servers");
  refused(
    R"({"model":"auto","max_tokens":10,"messages":[{"role":"user","content":"x"}],"frobnicate":1})",
    "frobnicate");
  refused(
    R"({"model":"auto","max_tokens":10,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"a","input":"x"}]}]})",
    "input");
}

TEST_CASE("an Anthropic body: thinking from an Anthropic upstream, text, then "
          "tool_use with its input as an object",
          "[messages]") {
  task_reply r;
  r.decision_id = 7;
  r.model = 0;
  r.text = "let me check";
  r.finish_reason = "tool_calls";
  engine::content_part own;
  own.kind = part_kind::reasoning;
  own.text = "thinking hard";
  own.signature = "sig";
  own.name = "anthropic";
  engine::content_part other;
  other.kind = part_kind::reasoning;
  other.text = "gemini thoughts";
  other.name = "gemini";
  r.content = {own, other,
               engine::content_part::make_tool_call(
                 "toolu_1-sy0000abcd", "weather", R"({"city":"Rome"})"),
               engine::content_part::make_tool_call("call_2", "time", "")};
  auto rendered = anthropic_message_body(r, reg);
  REQUIRE(std::holds_alternative<std::string>(rendered));
  const auto& body = std::get<std::string>(rendered);
  simdjson::dom::parser p;
  auto doc = parse_json(p, body);
  auto content = doc["content"];
  CHECK(std::string_view{content.at(0)["type"]} == "thinking");
  CHECK(std::string_view{content.at(0)["signature"]} == "sig");
  CHECK(std::string_view{content.at(1)["type"]} == "text");
  CHECK(std::string_view{content.at(2)["type"]} == "tool_use");
  CHECK(std::string_view{content.at(2)["id"]} == "toolu_1-sy0000abcd");
  CHECK(std::string_view{content.at(2)["input"]["city"]} == "Rome");
  // No arguments is an empty input object.
  CHECK(content.at(3)["input"].is_object());
  CHECK(std::string_view{doc["stop_reason"]} == "tool_use");
  // Another provider's reasoning is not an Anthropic thinking block.
  CHECK(body.find("gemini thoughts") == std::string::npos);

  r.content = {engine::content_part::make_tool_call("c", "f", "[1,2]")};
  auto invalid = anthropic_message_body(r, reg);
  REQUIRE(std::holds_alternative<api_error>(invalid));
  CHECK(std::get<api_error>(invalid).status == 502);
  CHECK_THAT(std::get<api_error>(invalid).message,
             Catch::Contains("invalid tool arguments"));
}
