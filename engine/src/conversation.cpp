#include "switchyard/engine/conversation.hpp"

namespace switchyard::engine {

std::optional<message_role> parse_message_role(std::string_view s) noexcept {
  for (std::size_t i = 0; i < std::size(message_role_names); ++i)
    if (message_role_names[i] == s)
      return static_cast<message_role>(i);
  return std::nullopt;
}

std::string chat_message::text() const {
  std::string out;
  for (const auto& p : parts) {
    if (p.kind != part_kind::text)
      continue;
    if (!out.empty())
      out.push_back('\n');
    out += p.text;
  }
  return out;
}

namespace {

void add_part_fields(const content_part& p, request_field_set& out) noexcept {
  switch (p.kind) {
    case part_kind::image:
      out.add(p.url.empty() ? request_field::image_base64
                            : request_field::image_url);
      break;
    case part_kind::tool_call:
      out.add(request_field::tools);
      break;
    case part_kind::tool_result:
      out.add(request_field::tools);
      for (const auto& c : p.content)
        if (c.kind == part_kind::image)
          out.add(request_field::tool_result_image);
      for (const auto& c : p.content)
        add_part_fields(c, out);
      break;
    default:
      break;
  }
}

} // namespace

request_field_set used_fields(const std::vector<chat_message>& messages,
                              const request_options& o) noexcept {
  request_field_set out;
  for (const auto& m : messages)
    for (const auto& p : m.parts)
      add_part_fields(p, out);
  if (!o.tools.empty())
    out.add(request_field::tools);
  for (const auto& t : o.tools)
    if (t.strict.value_or(false))
      out.add(request_field::tool_strict);
  if (o.choice.mode == tool_choice_mode::required)
    out.add(request_field::tool_choice_required);
  if (o.choice.mode == tool_choice_mode::named)
    out.add(request_field::tool_choice_named);
  if (o.choice.mode == tool_choice_mode::none && !o.tools.empty())
    out.add(request_field::tool_choice_none);
  if (o.parallel_tool_calls && !*o.parallel_tool_calls)
    out.add(request_field::parallel_tool_calls_off);
  if (o.format.kind == response_format_kind::json_object)
    out.add(request_field::json_object);
  if (o.format.kind == response_format_kind::json_schema)
    out.add(request_field::json_schema);
  if (o.seed)
    out.add(request_field::seed);
  if (o.top_k)
    out.add(request_field::top_k);
  if ((o.logprobs && *o.logprobs) || o.top_logprobs)
    out.add(request_field::logprobs);
  if (!o.reasoning_effort.empty())
    out.add(request_field::reasoning_effort);
  if (o.thinking_budget)
    out.add(request_field::thinking);
  return out;
}

bool holds_tool_calls(const std::vector<chat_message>& messages) noexcept {
  for (const auto& m : messages)
    for (const auto& p : m.parts)
      if (p.kind == part_kind::tool_call || p.kind == part_kind::tool_result)
        return true;
  return false;
}

std::string newest_user_text(const std::vector<chat_message>& messages) {
  for (auto i = messages.rbegin(); i != messages.rend(); ++i) {
    if (i->role != message_role::user)
      continue;
    auto t = i->text();
    if (!t.empty())
      return t;
  }
  return {};
}

namespace {

std::size_t part_bytes(const content_part& p) noexcept {
  std::size_t n = p.text.size() + p.id.size() + p.name.size()
                  + p.arguments.size();
  for (const auto& c : p.content)
    n += part_bytes(c);
  return n;
}

std::size_t part_images(const content_part& p) noexcept {
  std::size_t n = p.kind == part_kind::image ? 1 : 0;
  for (const auto& c : p.content)
    n += part_images(c);
  return n;
}

} // namespace

std::size_t conversation_text_bytes(const std::vector<chat_message>& messages,
                                    const request_options& o) noexcept {
  std::size_t n = 0;
  for (const auto& m : messages)
    for (const auto& p : m.parts)
      n += part_bytes(p);
  for (const auto& t : o.tools)
    n += t.name.size() + t.description.size() + t.parameters.size();
  n += o.format.schema.size();
  return n;
}

std::size_t image_count(const std::vector<chat_message>& messages) noexcept {
  std::size_t n = 0;
  for (const auto& m : messages)
    for (const auto& p : m.parts)
      n += part_images(p);
  return n;
}

} // namespace switchyard::engine
