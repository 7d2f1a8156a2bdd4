// A tool loop through the coordinator with the conversation model: the
// call carries the whole conversation and its options, the reply carries
// the model's tool calls, the next turn stays on the model that made them,
// and moves (saying so) when that model fails.

#include "actor_fixture.hpp"

#include "switchyard/actors/task_routing.hpp"
#include "switchyard/engine/decision_report.hpp"

using namespace switchyard;
using namespace switchyard::test;
using engine::call_error;
using engine::chat_message;
using engine::content_part;
using engine::message_role;

namespace {

task_spec first_turn() {
  task_spec t;
  t.messages = {chat_message::make(message_role::system, "You are terse."),
                chat_message::make(message_role::user,
                                   "What is the weather in Oslo?")};
  t.options.tools.push_back({"weather", "Weather by city",
                             R"({"type":"object","properties":{"city":{"type":"string"}}})",
                             std::nullopt, ""});
  t.options.choice.mode = engine::tool_choice_mode::required;
  return t;
}

/// Every model answers with a call of the first tool it was offered.
engine::call_result call_a_tool(const engine::call_request& req, std::size_t) {
  auto r = fake_provider::answer(req);
  r.text.clear();
  r.finish_reason = "tool_calls";
  r.content.push_back(content_part::make_tool_call(
    "call_" + req.model, req.options.tools.at(0).name, R"({"city":"Oslo"})"));
  return r;
}

task_spec second_turn(const task_spec& first, const task_reply& r,
                      std::string sticky) {
  auto t = first;
  chat_message assistant;
  assistant.role = message_role::assistant;
  assistant.parts = r.content;
  t.messages.push_back(assistant);
  chat_message tool;
  tool.role = message_role::tool;
  content_part result;
  result.kind = engine::part_kind::tool_result;
  result.id = r.content.at(0).id;
  result.content.push_back(content_part::make_text("4 C and rain"));
  tool.parts.push_back(result);
  t.messages.push_back(tool);
  t.options.choice.mode = engine::tool_choice_mode::auto_;
  t.sticky_model = std::move(sticky);
  return t;
}

} // namespace

TEST_CASE_METHOD(actor_fixture, "a tool loop runs through the runtime and "
                                "stays on its model",
                 "[actors][conversation]") {
  start();
  for (auto& [id, fake] : fakes)
    fake->script = call_a_tool;
  auto t1 = first_turn();
  actors::complete_task(t1);
  CHECK(t1.text == "What is the weather in Oslo?");
  auto p1 = execute(t1);
  run();
  REQUIRE(*p1.count == 1);
  const auto r1 = **p1.slot;
  REQUIRE(r1.ok());
  CHECK(r1.finish_reason == "tool_calls");
  REQUIRE(r1.content.size() == 1);
  CHECK(r1.content[0].kind == engine::part_kind::tool_call);
  CHECK(r1.content[0].name == "weather");
  CHECK(model(r1.model).capabilities.has(engine::capability::tools));
  const auto& first_model = model(r1.model);
  // The upstream got the tools, the choice and the whole conversation.
  const auto& provider = fake(first_model.provider);
  REQUIRE_FALSE(provider.started.empty());
  const auto& sent = provider.started.back().request;
  CHECK(sent.messages.size() == 2);
  REQUIRE(sent.options.tools.size() == 1);
  CHECK(sent.options.choice.mode == engine::tool_choice_mode::required);

  // Turn two answers the call: it goes back to the same model, whatever the
  // router would choose for a text like this one.
  for (auto& [id, fake] : fakes)
    fake->script = {};
  auto t2 = second_turn(t1, r1, first_model.id);
  auto before = provider.started.size();
  auto p2 = execute(t2);
  run();
  REQUIRE(*p2.count == 1);
  const auto r2 = **p2.slot;
  REQUIRE(r2.ok());
  CHECK(model(r2.model).id == first_model.id);
  CHECK(r2.decision.rule == engine::selection_rule::agent_loop);
  REQUIRE(provider.started.size() == before + 1);
  const auto& sent2 = provider.started.back().request;
  REQUIRE(sent2.messages.size() == 4);
  CHECK(sent2.messages[2].parts.at(0).id == r1.content[0].id);
  CHECK(sent2.messages[3].parts.at(0).kind == engine::part_kind::tool_result);
}

TEST_CASE_METHOD(actor_fixture, "an agent loop moves when its model fails, "
                                "and the decision says so",
                 "[actors][conversation]") {
  start();
  for (auto& [id, fake] : fakes)
    fake->script = call_a_tool;
  auto t1 = first_turn();
  auto p1 = execute(t1);
  run();
  REQUIRE(*p1.count == 1);
  const auto r1 = **p1.slot;
  REQUIRE(r1.ok());
  const auto sticky = model(r1.model);
  // The sticky model's provider now fails every call.
  for (auto& [id, fake] : fakes)
    fake->script = {};
  fake(sticky.provider).script = [](const engine::call_request& r,
                                    std::size_t) {
    // Malformed answers are not retried on the same model.
    return fake_provider::failure(r, call_error::malformed);
  };
  auto p2 = execute(second_turn(t1, r1, sticky.id));
  run();
  REQUIRE(*p2.count == 1);
  const auto& r2 = **p2.slot;
  REQUIRE(r2.ok());
  CHECK(model(r2.model).provider != sticky.provider);
  CHECK(r2.attempts.front().model == r1.model);
  CHECK(r2.decision.has_note(engine::decision_note::agent_loop_moved));
  CHECK(engine::rationale(r2.decision, reg, engine::keyword_classifier{})
          .find("moved")
        != std::string::npos);
}
