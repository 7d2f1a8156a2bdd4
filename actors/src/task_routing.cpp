#include "switchyard/actors/task_routing.hpp"

#include "switchyard/engine/estimate.hpp"

#include <algorithm>

namespace switchyard::actors {

std::size_t task_text_bytes(const task_spec& t) noexcept {
  if (t.messages.empty())
    return t.text.size();
  std::size_t n = 0;
  for (const auto& m : t.messages)
    n += m.content.size();
  return n;
}

engine::classification
classify_task(const engine::keyword_classifier& classifier,
              const task_spec& t) {
  auto input = engine::estimate_input_tokens(task_text_bytes(t),
                                             t.context_tokens);
  return classifier.classify({t.text, t.type, t.tier, t.complexity_score,
                              t.required.has(engine::capability::vision),
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
  req.exclude = ctx.exclude;
  req.local_failures = ctx.local_failures;
  if (!ctx.force_model.empty())
    req.force_model = ctx.force_model;
  return req;
}

} // namespace switchyard::actors
