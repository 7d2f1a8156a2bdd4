// Agent loops stay on their model: tool-call ids go out tagged and come
// back stripped, with a bounded map for ids that lost their tag.

#include "gateway_test_registry.hpp"
#include "switchyard/engine/tool_call_ids.hpp"
#include "switchyard/gateway/tool_call_stickiness.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::gateway;
using engine::chat_message;
using engine::content_part;
using engine::message_role;
using engine::tool_call_ids;

namespace {

const auto reg = testing::gateway_test_registry();

std::vector<chat_message> loop_with(const std::string& call_id) {
  chat_message user = chat_message::make(message_role::user, "weather?");
  chat_message assistant;
  assistant.role = message_role::assistant;
  assistant.parts.push_back(
    content_part::make_tool_call(call_id, "weather", "{}"));
  chat_message tool;
  tool.role = message_role::tool;
  content_part result;
  result.kind = engine::part_kind::tool_result;
  result.id = call_id;
  tool.parts.push_back(result);
  return {user, assistant, tool};
}

} // namespace

TEST_CASE("ids go out tagged with the model and come back stripped, naming "
          "it",
          "[sticky]") {
  tool_call_stickiness sticky{reg};
  auto id = sticky.hand_out("toolu_1", 1, 99, 0);
  CHECK(id == tool_call_ids::tag("toolu_1", "claude"));
  CHECK(tool_call_ids::strip(id) == "toolu_1");
  auto messages = loop_with(id);
  CHECK(sticky.take_in(messages) == "claude");
  // The upstream gets its own ids back.
  CHECK(messages[1].parts[0].id == "toolu_1");
  CHECK(messages[2].parts[0].id == "toolu_1");
}

TEST_CASE("a call without a provider id gets a synthesised one", "[sticky]") {
  tool_call_stickiness sticky{reg};
  std::vector<content_part> content{
    content_part::make_tool_call("", "a", "{}"), content_part::make_text("x"),
    content_part::make_tool_call("", "b", "{}")};
  sticky.hand_out(content, 0, 42);
  CHECK(content[0].id
        == tool_call_ids::tag(tool_call_ids::synthesize(42, 0), "gpt-mini"));
  CHECK(content[2].id
        == tool_call_ids::tag(tool_call_ids::synthesize(42, 1), "gpt-mini"));
  CHECK(content[1].id.empty());
}

TEST_CASE("an id that lost its tag is found in the map, and the map is "
          "bounded",
          "[sticky]") {
  tool_call_stickiness sticky{reg, 2};
  (void)sticky.hand_out("one", 1, 1, 0);
  (void)sticky.hand_out("two", 0, 1, 1);
  auto messages = loop_with("one");
  CHECK(sticky.take_in(messages) == "claude");
  (void)sticky.hand_out("three", 0, 1, 2);
  // "one" was the oldest: evicted.
  CHECK_FALSE(sticky.remembered("one"));
  CHECK(sticky.remembered("two") == std::uint16_t{0});
  messages = loop_with("one");
  CHECK(sticky.take_in(messages).empty());
  messages = loop_with("unknown-id");
  CHECK(sticky.take_in(messages).empty());
}

TEST_CASE("the newest assistant turn's calls decide", "[sticky]") {
  tool_call_stickiness sticky{reg};
  auto older = sticky.hand_out("old", 1, 1, 0);
  auto newer = sticky.hand_out("new", 0, 2, 0);
  auto messages = loop_with(older);
  auto next = loop_with(newer);
  messages.insert(messages.end(), next.begin() + 1, next.end());
  CHECK(sticky.take_in(messages) == "gpt-mini");
}

TEST_CASE("the caller's pin decides the sticky model", "[sticky]") {
  tool_call_stickiness sticky{reg};
  auto id = sticky.hand_out("toolu_1", 1, 5, 0);
  chat_request req;
  req.task.messages = loop_with(id);
  sticky.apply(req);
  CHECK(req.task.sticky_model == "claude");

  chat_request off;
  off.pin = pin_mode::off;
  off.task.messages = loop_with(id);
  sticky.apply(off);
  CHECK(off.task.sticky_model.empty());
  // Stripped all the same: the upstream must get its own ids.
  CHECK(off.task.messages[1].parts[0].id == "toolu_1");

  chat_request pinned;
  pinned.pin = pin_mode::model;
  pinned.pin_model = "gpt-mini";
  pinned.task.messages = loop_with(id);
  sticky.apply(pinned);
  CHECK(pinned.task.sticky_model == "gpt-mini");

  chat_request plain;
  plain.task.messages = {chat_message::make(message_role::user, "hi")};
  sticky.apply(plain);
  CHECK(plain.task.sticky_model.empty());
}
