#include "switchyard/engine/conversation.hpp"
#include "switchyard/engine/tool_call_assembler.hpp"
#include "switchyard/engine/tool_call_ids.hpp"
#include "switchyard/engine/wire_support.hpp"

#include <catch2/catch.hpp>

#include <cctype>

using namespace switchyard::engine;

namespace {

content_part image(std::string url, std::string data = {}) {
  content_part p;
  p.kind = part_kind::image;
  p.url = std::move(url);
  p.data = std::move(data);
  p.media_type = p.data.empty() ? "" : "image/png";
  return p;
}

content_part tool_result(std::string id, std::vector<content_part> content) {
  content_part p;
  p.kind = part_kind::tool_result;
  p.id = std::move(id);
  p.content = std::move(content);
  return p;
}

/// A two-turn agent loop: user, assistant calling a tool, the tool's answer.
std::vector<chat_message> tool_loop() {
  auto user = chat_message::make(message_role::user, "What is the weather?");
  auto assistant = chat_message::make(message_role::assistant, {});
  assistant.parts.push_back(
    content_part::make_tool_call("call_1", "weather", R"({"city":"Oslo"})"));
  chat_message tool;
  tool.role = message_role::tool;
  tool.parts.push_back(tool_result("call_1", {content_part::make_text("4 C")}));
  return {chat_message::make(message_role::system, "Be brief."), user,
          assistant, tool};
}

} // namespace

TEST_CASE("a conversation says which fields it uses", "[conversation]") {
  request_options none;
  CHECK(used_fields({chat_message::make(message_role::user, "hi")}, none)
          .empty());
  auto loop = tool_loop();
  auto used = used_fields(loop, none);
  CHECK(used.has(request_field::tools));
  CHECK_FALSE(used.has(request_field::image_url));
  CHECK(required_capabilities(used).has(capability::tools));

  std::vector<chat_message> pictures{
    chat_message::make(message_role::user, "what is this?")};
  pictures[0].parts.push_back(image("https://example.com/a.png"));
  pictures[0].parts.push_back(image({}, "iVBORw0KGgo="));
  used = used_fields(pictures, none);
  CHECK(used.has(request_field::image_url));
  CHECK(used.has(request_field::image_base64));
  CHECK(required_capabilities(used).has(capability::vision));
  CHECK(image_count(pictures) == 2);

  request_options o;
  o.format.kind = response_format_kind::json_schema;
  o.seed = 1;
  o.top_k = 5;
  o.parallel_tool_calls = false;
  o.choice.mode = tool_choice_mode::required;
  o.thinking_budget = 1024;
  CHECK(used_fields({}, o).has(request_field::tool_choice_required));
  o.choice.mode = tool_choice_mode::named;
  used = used_fields({}, o);
  CHECK(used.has(request_field::json_schema));
  CHECK(used.has(request_field::seed));
  CHECK(used.has(request_field::top_k));
  CHECK(used.has(request_field::parallel_tool_calls_off));
  CHECK(used.has(request_field::tool_choice_named));
  CHECK_FALSE(used.has(request_field::tool_choice_required));
  CHECK(used.has(request_field::thinking));
  CHECK(required_capabilities(used).has(capability::json));
  o.parallel_tool_calls = true;
  CHECK_FALSE(used_fields({}, o).has(request_field::parallel_tool_calls_off));
}

TEST_CASE("an image inside a tool result is its own field", "[conversation]") {
  chat_message tool;
  tool.role = message_role::tool;
  tool.parts.push_back(tool_result("c", {image({}, "AAAA")}));
  auto used = used_fields({tool}, {});
  CHECK(used.has(request_field::tool_result_image));
  CHECK(used.has(request_field::image_base64));
  CHECK(image_count({tool}) == 1);
}

TEST_CASE("the classifier reads the newest user turn, not the transcript",
          "[conversation]") {
  auto loop = tool_loop();
  CHECK(newest_user_text(loop) == "What is the weather?");
  CHECK(holds_tool_calls(loop));
  loop.push_back(chat_message::make(message_role::user, "And tomorrow?"));
  CHECK(newest_user_text(loop) == "And tomorrow?");
  CHECK_FALSE(holds_tool_calls({loop[0], loop[1]}));
  CHECK(newest_user_text({}).empty());
}

TEST_CASE("conversation bytes count tool calls, results and schemas",
          "[conversation]") {
  auto loop = tool_loop();
  request_options o;
  auto base = conversation_text_bytes(loop, o);
  // "Be brief." + question + call id, name, arguments + result id and text.
  CHECK(base == 9 + 20 + 6 + 7 + 15 + 6 + 3);
  o.tools.push_back({"weather", "Weather by city", R"({"type":"object"})",
                     std::nullopt, ""});
  CHECK(conversation_text_bytes(loop, o) == base + 7 + 15 + 17);
}

TEST_CASE("wire formats say what they can carry", "[conversation]") {
  CHECK(wire_expresses(provider_kind::openai, request_field::seed));
  CHECK_FALSE(wire_expresses(provider_kind::anthropic, request_field::seed));
  CHECK_FALSE(wire_expresses(provider_kind::anthropic,
                             request_field::json_schema));
  CHECK_FALSE(wire_expresses(provider_kind::ollama, request_field::image_url));
  CHECK(wire_expresses(provider_kind::ollama, request_field::image_base64));
  CHECK_FALSE(wire_expresses(provider_kind::openai, request_field::top_k));
  CHECK(wire_expresses(provider_kind::anthropic, request_field::thinking));
  CHECK_FALSE(wire_expresses(provider_kind::ollama,
                             request_field::tool_choice_required));
  CHECK(wire_expresses(provider_kind::cohere,
                       request_field::tool_choice_required));
  CHECK_FALSE(wire_expresses(provider_kind::cohere,
                             request_field::tool_choice_named));
  request_field_set used;
  used.add(request_field::tools).add(request_field::seed);
  CHECK(first_unexpressible(provider_kind::anthropic, used)
        == request_field::seed);
  CHECK_FALSE(first_unexpressible(provider_kind::openai, used));
}

// -- streamed tool calls --------------------------------------------------------

TEST_CASE("fragments with an index are matched by index", "[conversation]") {
  tool_call_assembler a;
  auto p0 = a.add({0u, "call_a", "search", R"({"q":)"});
  auto p1 = a.add({1u, "call_b", "fetch", ""});
  auto p0b = a.add({0u, "", "", R"("x"})"});
  auto p1b = a.add({1u, "", "", R"({"url":"u"})"});
  CHECK(p0.started);
  CHECK(p0.position == 0);
  CHECK(p1.started);
  CHECK(p1.position == 1);
  CHECK_FALSE(p0b.started);
  CHECK(p0b.position == 0);
  CHECK(p1b.position == 1);
  auto calls = a.take();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].id == "call_a");
  CHECK(calls[0].name == "search");
  CHECK(calls[0].arguments == R"({"q":"x"})");
  CHECK(calls[1].arguments == R"({"url":"u"})");
  CHECK(a.empty());
}

TEST_CASE("provider indexes need not start at zero or be dense",
          "[conversation]") {
  // Anthropic numbers content blocks: a text block 0, tool_use blocks 1, 2.
  tool_call_assembler a;
  CHECK(a.add({1u, "toolu_1", "a", "{}"}).position == 0);
  CHECK(a.add({2u, "toolu_2", "b", ""}).position == 1);
  CHECK(a.add({2u, "", "", "{}"}).position == 1);
  CHECK(a.calls().size() == 2);
}

TEST_CASE("fragments without an index are matched by id, then by position",
          "[conversation]") {
  tool_call_assembler a;
  CHECK(a.add({std::nullopt, "call_1", "f", R"({"a")"}).started);
  auto cont = a.add({std::nullopt, "", "", ":1}"});
  CHECK_FALSE(cont.started);
  CHECK(cont.position == 0);
  auto second = a.add({std::nullopt, "call_2", "g", ""});
  CHECK(second.started);
  CHECK(second.position == 1);
  // A server that repeats the id on every fragment.
  CHECK(a.add({std::nullopt, "call_2", "g", "{}"}).position == 1);
  auto calls = a.take();
  CHECK(calls[0].arguments == R"({"a":1})");
  CHECK(calls[1].arguments == "{}");
  CHECK(calls[1].name == "g");
}

TEST_CASE("calls sent whole are separate calls even without ids",
          "[conversation]") {
  tool_call_assembler a;
  CHECK(a.add_whole("", "f", R"({"x":1})").position == 0);
  CHECK(a.add_whole("", "f", R"({"x":2})").position == 1);
  a.add({std::nullopt, "", "g", ""});
  auto calls = a.take();
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].arguments == R"({"x":2})");
}

TEST_CASE("a call that got no arguments gets an empty object",
          "[conversation]") {
  tool_call_assembler a;
  a.add({0u, "c", "now", ""});
  CHECK(a.take().front().arguments == "{}");
}

// -- tool-call ids ----------------------------------------------------------------

TEST_CASE("tool-call ids carry the model that made them", "[conversation]") {
  auto id = tool_call_ids::tag("call_abc", "gpt-4o");
  CHECK(id.rfind("call_abc-sy", 0) == 0);
  CHECK(id.size() == 8 + tool_call_ids::tag_size);
  REQUIRE(tool_call_ids::tag_of(id));
  CHECK(*tool_call_ids::tag_of(id) == tool_call_ids::model_tag("gpt-4o"));
  CHECK(tool_call_ids::model_tag("gpt-4o")
        != tool_call_ids::model_tag("gpt-4o-mini"));
  CHECK(tool_call_ids::strip(id) == "call_abc");
  // Tagging again replaces the tag instead of stacking one more.
  CHECK(tool_call_ids::tag(id, "claude-sonnet-4")
        == tool_call_ids::tag("call_abc", "claude-sonnet-4"));
  CHECK_FALSE(tool_call_ids::tag_of("call_abc"));
  CHECK(tool_call_ids::strip("toolu_01A") == "toolu_01A");
  CHECK_FALSE(tool_call_ids::tag_of("x-syzzzzzzzz"));
  for (char c : id)
    CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '_'
           || c == '-'));
}

TEST_CASE("ids made up for calls without one are stable and distinct",
          "[conversation]") {
  auto a = tool_call_ids::synthesize(42, 0);
  CHECK(a == tool_call_ids::synthesize(42, 0));
  CHECK(a != tool_call_ids::synthesize(42, 1));
  CHECK(a != tool_call_ids::synthesize(43, 0));
  CHECK(a.rfind("call_", 0) == 0);
}

TEST_CASE("ids rewritten for Mistral are 9 alphanumerics and consistent",
          "[conversation]") {
  auto a = tool_call_ids::alnum9("call_abc-sy01234567");
  CHECK(a.size() == 9);
  for (char c : a)
    CHECK(std::isalnum(static_cast<unsigned char>(c)));
  CHECK(a == tool_call_ids::alnum9("call_abc-sy01234567"));
  CHECK(a != tool_call_ids::alnum9("call_abd-sy01234567"));
  CHECK(tool_call_ids::alnum9("Ab3dE6gH9") == "Ab3dE6gH9");
}
