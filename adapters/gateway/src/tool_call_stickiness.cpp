#include "switchyard/gateway/tool_call_stickiness.hpp"

#include "switchyard/engine/tool_call_ids.hpp"

namespace switchyard::gateway {

using engine::part_kind;
using engine::tool_call_ids;

tool_call_stickiness::tool_call_stickiness(const engine::registry& reg,
                                           std::size_t capacity)
    : reg_(reg), capacity_(capacity) {
  for (std::size_t i = 0; i < reg.models.size(); ++i)
    tags_.emplace(tool_call_ids::model_tag(reg.models[i].id),
                  static_cast<std::uint16_t>(i));
}

std::string tool_call_stickiness::hand_out(std::string_view provider_id,
                                           std::uint16_t model,
                                           std::uint64_t decision_id,
                                           std::uint32_t position) {
  std::string id{tool_call_ids::strip(provider_id)};
  if (id.empty())
    id = tool_call_ids::synthesize(decision_id, position);
  if (capacity_ > 0) {
    std::lock_guard<std::mutex> guard{mutex_};
    if (ids_.insert_or_assign(id, model).second) {
      order_.push_back(id);
      while (order_.size() > capacity_) {
        ids_.erase(order_.front());
        order_.pop_front();
      }
    }
  }
  if (model >= reg_.models.size())
    return id;
  return tool_call_ids::tag(id, reg_.models[model].id);
}

void tool_call_stickiness::hand_out(std::vector<engine::content_part>& content,
                                    std::uint16_t model,
                                    std::uint64_t decision_id) {
  std::uint32_t position = 0;
  for (auto& p : content)
    if (p.kind == part_kind::tool_call)
      p.id = hand_out(p.id, model, decision_id, position++);
}

std::optional<std::uint16_t>
tool_call_stickiness::remembered(std::string_view provider_id) const {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = ids_.find(std::string{provider_id});
  if (i == ids_.end())
    return std::nullopt;
  return i->second;
}

std::optional<std::uint16_t>
tool_call_stickiness::model_of(std::string_view id) const {
  if (auto tag = tool_call_ids::tag_of(id)) {
    auto i = tags_.find(*tag);
    if (i != tags_.end())
      return i->second;
  }
  return remembered(tool_call_ids::strip(id));
}

std::string
tool_call_stickiness::take_in(std::vector<engine::chat_message>& messages) {
  // The newest assistant turn with tool calls decides; a conversation that
  // holds only results (its calls were dropped) is read from them.
  std::optional<std::uint16_t> sticky;
  for (auto m = messages.rbegin(); m != messages.rend() && !sticky; ++m) {
    if (m->role != engine::message_role::assistant)
      continue;
    bool calls = false;
    for (const auto& p : m->parts)
      if (p.kind == part_kind::tool_call) {
        calls = true;
        if (!sticky)
          sticky = model_of(p.id);
      }
    if (calls)
      break;
  }
  for (auto m = messages.rbegin(); m != messages.rend() && !sticky; ++m)
    for (const auto& p : m->parts)
      if (p.kind == part_kind::tool_result && !sticky)
        sticky = model_of(p.id);
  for (auto& m : messages)
    for (auto& p : m.parts)
      if (p.kind == part_kind::tool_call || p.kind == part_kind::tool_result)
        p.id.resize(tool_call_ids::strip(p.id).size()); // a suffix
  if (!sticky || *sticky >= reg_.models.size())
    return {};
  return reg_.models[*sticky].id;
}

void tool_call_stickiness::apply(chat_request& request) {
  auto from_ids = take_in(request.task.messages);
  switch (request.pin) {
    case pin_mode::from_ids:
      request.task.sticky_model = std::move(from_ids);
      break;
    case pin_mode::off: request.task.sticky_model.clear(); break;
    case pin_mode::model: request.task.sticky_model = request.pin_model; break;
  }
}

} // namespace switchyard::gateway
