// The embedding API with the conversation model: a two-turn tool loop
// through runtime::execute on CAF's real scheduler, as the README shows it.

#include "switchyard/runtime.hpp"

#include <catch2/catch.hpp>

#include <mutex>

using namespace switchyard;
using namespace switchyard::engine;

namespace {

/// Calls the first offered tool, and answers a tool result with text;
/// remembers what it was sent.
class tool_calling_fake : public provider_client {
public:
  call_handle_ptr call(call_request req, done_fn done) override {
    call_result r;
    r.model = req.model;
    r.input_tokens = 20;
    r.output_tokens = 5;
    const auto& last = req.messages.back();
    if (last.role == message_role::tool) {
      r.text = "4 C and rain in " + req.model;
      r.finish_reason = "stop";
    } else if (!req.options.tools.empty()) {
      r.content.push_back(content_part::make_tool_call(
        "call_" + req.model, req.options.tools[0].name, R"({"city":"Oslo"})"));
      r.finish_reason = "tool_calls";
    } else {
      r.text = "hello";
      r.finish_reason = "stop";
    }
    {
      std::lock_guard<std::mutex> guard{mutex};
      seen.push_back(std::move(req));
    }
    done(std::move(r));
    return nullptr;
  }

  call_handle_ptr stream(call_request req, chunk_fn, done_fn done) override {
    return call(std::move(req), std::move(done));
  }

  std::mutex mutex;
  std::vector<call_request> seen;
};

} // namespace

TEST_CASE("a tool loop through runtime::execute stays on its model",
          "[runtime][conversation]") {
  auto fake = std::make_shared<tool_calling_fake>();
  auto started = runtime::start("", [&](const provider_spec&) { return fake; });
  REQUIRE(started);
  auto rt = std::move(*started);
  task_spec t;
  t.messages = {chat_message::make(message_role::user,
                                   "What is the weather in Oslo right now?")};
  t.options.tools.push_back(
    {"get_weather", "Weather by city",
     R"({"type":"object","properties":{"city":{"type":"string"}}})",
     std::nullopt, ""});
  auto first = rt->execute(t).get();
  REQUIRE(first.ok());
  REQUIRE(first.content.size() == 1);
  CHECK(first.content[0].kind == part_kind::tool_call);
  CHECK(first.content[0].name == "get_weather");
  CHECK(first.finish_reason == "tool_calls");
  const auto& caller = rt->registry().models[first.model];
  CHECK(caller.capabilities.has(capability::tools));

  chat_message call{message_role::assistant, first.content, ""};
  chat_message result{message_role::tool, {}, ""};
  content_part r;
  r.kind = part_kind::tool_result;
  r.id = first.content[0].id;
  r.content = {content_part::make_text("4 C, rain")};
  result.parts.push_back(r);
  t.messages.push_back(call);
  t.messages.push_back(result);
  t.sticky_model = caller.id;
  auto second = rt->execute(t).get();
  REQUIRE(second.ok());
  CHECK(second.model == first.model);
  CHECK(second.decision.rule == selection_rule::agent_loop);
  CHECK(second.text == "4 C and rain in " + caller.id);
  rt->shutdown();
  std::lock_guard<std::mutex> guard{fake->mutex};
  REQUIRE(fake->seen.size() == 2);
  CHECK(fake->seen[0].options.tools.size() == 1);
  const auto& sent = fake->seen[1];
  REQUIRE(sent.messages.size() == 3);
  CHECK(sent.messages[1].parts.at(0).id == first.content[0].id);
  CHECK(sent.messages[2].parts.at(0).kind == part_kind::tool_result);
  CHECK(sent.messages[2].parts.at(0).content.at(0).text == "4 C, rain");
}
