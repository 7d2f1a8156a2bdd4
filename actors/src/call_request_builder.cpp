#include "switchyard/actors/call_request_builder.hpp"

namespace switchyard::actors {

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
  r.options = t.options;
  r.temperature = t.temperature;
  r.max_tokens = max_tokens;
  r.stop = t.stop;
  return r;
}

engine::call_request build_judge_request(const task_spec&,
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
  return r;
}

} // namespace switchyard::actors
