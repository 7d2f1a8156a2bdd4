#include "switchyard/actors/task_routing.hpp"

#include "switchyard/engine/estimate.hpp"
#include "switchyard/engine/wire_support.hpp"

#include <algorithm>

namespace switchyard::actors {

void complete_task(task_spec& t) {
  if (t.text.empty() && !t.messages.empty())
    t.text = engine::newest_user_text(t.messages);
}

std::size_t task_text_bytes(const task_spec& t) noexcept {
  if (t.messages.empty())
    return t.text.size() + engine::conversation_text_bytes({}, t.options);
  // Images as text-equivalent bytes (4 per token), so that budgets bound
  // their cost: ~1,600 tokens each, the most Anthropic bills for one image
  // before downscaling it (about 1.15 megapixels / 750), above OpenAI's 765
  // for a 1024x1024 image at high detail.
  constexpr std::size_t image_bytes = 1'600 * 4;
  return engine::conversation_text_bytes(t.messages, t.options)
         + image_bytes * engine::image_count(t.messages);
}

engine::classification
classify_task(const engine::keyword_classifier& classifier,
              const task_spec& t) {
  auto input = engine::estimate_input_tokens(task_text_bytes(t),
                                             t.context_tokens);
  auto required = t.required;
  required = required.merge(
    engine::required_capabilities(engine::used_fields(t.messages, t.options)));
  return classifier.classify({t.text, t.type, t.tier, t.complexity_score,
                              required.has(engine::capability::vision),
                              input});
}

engine::route_request route_request_for(const task_spec& t,
                                        const route_context& ctx) noexcept {
  auto req = to_route_request(t);
  // The router estimates input from `text`; count the rest of the
  // conversation as context.
  auto bytes = task_text_bytes(t);
  auto extra = bytes - std::min(bytes, t.text.size());
  req.context_tokens += static_cast<std::uint32_t>((extra + 3) / 4);
  req.fields = engine::used_fields(t.messages, t.options);
  req.required = req.required.merge(engine::required_capabilities(req.fields));
  req.sticky_model = t.sticky_model;
  req.exclude = ctx.exclude;
  req.local_failures = ctx.local_failures;
  if (!ctx.force_model.empty())
    req.force_model = ctx.force_model;
  return req;
}

} // namespace switchyard::actors
