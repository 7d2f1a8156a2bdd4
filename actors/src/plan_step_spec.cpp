#include "switchyard/actors/plan_step_spec.hpp"

#include "switchyard/engine/registry.hpp"

namespace switchyard::actors {

namespace {

using engine::chat_message;
using engine::message_role;

/// `instruction` joined to the conversation's instructions: a part of its
/// first system turn, or a system turn of its own before the rest.
std::vector<chat_message> with_instruction(const task_spec& task,
                                           const std::string& instruction) {
  auto messages = task.messages;
  if (messages.empty())
    messages.push_back(chat_message::make(message_role::user, task.text));
  if (instruction.empty())
    return messages;
  if (messages.front().is_instruction())
    messages.front().parts.push_back(
      engine::content_part::make_text(instruction));
  else
    messages.insert(messages.begin(),
                    chat_message::make(message_role::system, instruction));
  return messages;
}

/// Tokens an instruction adds, roughly (four bytes a token).
std::uint32_t tokens_of(const std::string& s) {
  return static_cast<std::uint32_t>(s.size() / 4);
}

} // namespace

bool is_agent_turn(const task_spec& task) noexcept {
  return !task.options.tools.empty() || engine::holds_tool_calls(task.messages);
}

task_spec step_routing(const task_spec& task, engine::task_type type,
                       engine::complexity_tier route_as, bool final) {
  task_spec s;
  s.type = type;
  s.tier = route_as;
  s.max_latency_s = task.max_latency_s;
  s.plan_step = true;
  if (final) {
    s.min_quality = task.min_quality;
    s.required = task.required;
    s.sticky_model = task.sticky_model;
  }
  return s;
}

task_spec plan_step_spec(const task_spec& task,
                         const engine::decision& decided,
                         const engine::step_launch& step,
                         const engine::registry& reg) {
  auto s = step_routing(task, decided.cls.type, step.route_as, step.final);
  s.budget_usd = engine::nanos_to_usd(step.budget);
  s.budget_key = task.budget_key;
  s.temperature = task.temperature;
  s.cancel = task.cancel;
  s.trace = task.trace;
  if (step.force_model)
    s.force_model = reg.models[*step.force_model].id;
  if (step.final) {
    s.text = task.text;
    s.messages = with_instruction(task, step.instruction);
    s.options = task.options;
    s.context_tokens = task.context_tokens + tokens_of(step.instruction);
    s.max_output_tokens = task.max_output_tokens;
    s.stop = task.stop;
    return s;
  }
  s.text = step.input;
  s.messages.push_back(chat_message::make(message_role::system,
                                          step.instruction));
  s.messages.push_back(chat_message::make(message_role::user, step.input));
  s.context_tokens = tokens_of(step.instruction);
  if (step.max_output_tokens > 0)
    s.max_output_tokens = step.max_output_tokens;
  return s;
}

} // namespace switchyard::actors
