#include "switchyard/actors/call_request_builder.hpp"

#include "switchyard/engine/tool_call_ids.hpp"
#include "switchyard/telemetry/trace_parent.hpp"

namespace switchyard::actors {

namespace {

/// Mistral's API takes only 9-character alphanumeric tool-call ids; a
/// conversation that moved there from another provider carries others.
/// Rewritten the same way for a call and its result, so they still match.
void rewrite_ids_for_mistral(std::vector<engine::chat_message>& messages) {
  for (auto& m : messages)
    for (auto& p : m.parts)
      if (p.kind == engine::part_kind::tool_call
          || p.kind == engine::part_kind::tool_result)
        p.id = engine::tool_call_ids::alnum9(p.id);
}

} // namespace

engine::call_request build_call_request(const task_spec& t,
                                        const engine::model_spec& m,
                                        std::uint32_t max_tokens) {
  engine::call_request r;
  r.model = m.id;
  r.upstream_model = m.upstream;
  if (t.messages.empty())
    r.messages.push_back(
      engine::chat_message::make(engine::message_role::user, t.text));
  else
    r.messages = t.messages;
  // Ids made by this very model go back as they came.
  if (m.provider == "mistral" && t.sticky_model != m.id
      && engine::holds_tool_calls(r.messages))
    rewrite_ids_for_mistral(r.messages);
  r.options = t.options;
  r.temperature = t.temperature;
  r.max_tokens = max_tokens;
  r.stop = t.stop;
  r.cancel = t.cancel;
  r.trace = t.trace;
  return r;
}

call_order
build_call_order(std::uint64_t call_id, const task_spec& t,
                 const engine::model_spec& m, std::uint32_t max_tokens,
                 std::uint64_t decision_id,
                 const std::function<void(const stream_event&)>& on_event) {
  call_order order{call_id, build_call_request(t, m, max_tokens), nullptr};
  order.request.trace = telemetry::with_decision(t.trace, decision_id);
  if (on_event) {
    order.request.stream = true;
    order.sink = std::make_shared<stream_sink>();
    order.sink->decision_id = decision_id;
    order.sink->model = m.id;
    order.sink->on_event = on_event;
    order.sink->max_output_tokens = max_tokens;
  }
  return order;
}

engine::call_request build_judge_request(const task_spec& t,
                                         const engine::model_spec& judge,
                                         const std::string& prompt,
                                         std::uint32_t max_tokens) {
  engine::call_request r;
  r.model = judge.id;
  r.upstream_model = judge.upstream;
  r.messages.push_back(
    engine::chat_message::make(engine::message_role::user, prompt));
  // A verdict should not be creative.
  r.temperature = 0.0;
  r.max_tokens = max_tokens;
  // The task's judge is abandoned with the task.
  r.cancel = t.cancel;
  r.trace = t.trace;
  return r;
}

} // namespace switchyard::actors
