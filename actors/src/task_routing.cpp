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

task_shape shape_of(const task_spec& t) {
  task_shape s;
  s.text_bytes = task_text_bytes(t);
  s.fields = engine::used_fields(t.messages, t.options).bits();
  s.messages = static_cast<std::uint32_t>(t.messages.size());
  s.tool_names.reserve(t.options.tools.size());
  for (const auto& tool : t.options.tools)
    s.tool_names.push_back(tool.name);
  s.recorded = true;
  return s;
}

task_shape shape_of(const decision_record& rec) {
  return rec.shape.recorded ? rec.shape : shape_of(rec.task);
}

task_spec logged_task(const task_spec& t) {
  task_spec out;
  out.text = t.text;
  out.type = t.type;
  out.tier = t.tier;
  out.complexity_score = t.complexity_score;
  out.budget_usd = t.budget_usd;
  out.min_quality = t.min_quality;
  out.max_latency_s = t.max_latency_s;
  out.context_tokens = t.context_tokens;
  out.max_output_tokens = t.max_output_tokens;
  out.required = t.required;
  out.parallel = t.parallel;
  out.strategy = t.strategy;
  out.force_model = t.force_model;
  out.budget_key = t.budget_key;
  out.temperature = t.temperature;
  out.stop = t.stop;
  out.sticky_model = t.sticky_model;
  return out;
}

engine::classification
classify_task(const engine::keyword_classifier& classifier,
              const task_spec& t) {
  return classify_task(classifier, t, shape_of(t));
}

engine::classification
classify_task(const engine::keyword_classifier& classifier, const task_spec& t,
              const task_shape& shape) {
  auto input = engine::estimate_input_tokens(shape.text_bytes,
                                             t.context_tokens);
  auto required = t.required;
  required = required.merge(engine::required_capabilities(
    engine::request_field_set{shape.fields}));
  return classifier.classify({t.text, t.type, t.tier, t.complexity_score,
                              required.has(engine::capability::vision),
                              input});
}

namespace {

/// The route request for `t` whose conversation measures `bytes` of text
/// and uses `fields`.
engine::route_request route_request_from(const task_spec& t,
                                         const route_context& ctx,
                                         std::size_t bytes,
                                         engine::request_field_set fields) {
  auto req = to_route_request(t);
  // The router estimates input from `text`; count the rest of the
  // conversation as context.
  auto extra = bytes - std::min(bytes, t.text.size());
  req.context_tokens += static_cast<std::uint32_t>((extra + 3) / 4);
  req.fields = fields;
  req.required = req.required.merge(engine::required_capabilities(req.fields));
  req.sticky_model = t.sticky_model;
  req.exclude = ctx.exclude;
  req.local_failures = ctx.local_failures;
  if (!ctx.force_model.empty())
    req.force_model = ctx.force_model;
  return req;
}

} // namespace

engine::route_request route_request_for(const task_spec& t,
                                        const route_context& ctx) noexcept {
  return route_request_from(t, ctx, task_text_bytes(t),
                            engine::used_fields(t.messages, t.options));
}

engine::route_request route_request_for(const task_spec& t,
                                        const route_context& ctx,
                                        const task_shape& shape) noexcept {
  return route_request_from(t, ctx, static_cast<std::size_t>(shape.text_bytes),
                            engine::request_field_set{shape.fields});
}

} // namespace switchyard::actors
