#include "switchyard/telemetry/genai_content.hpp"

#include "switchyard/engine/json_writer.hpp"

namespace switchyard::telemetry {

namespace {

void write_part(engine::json_writer& w, const engine::content_part& p) {
  using engine::part_kind;
  w.begin_object();
  switch (p.kind) {
    case part_kind::text:
      w.field("type", "text").field("content", p.text);
      break;
    case part_kind::reasoning:
      w.field("type", "reasoning");
      if (!p.redacted)
        w.field("content", p.text);
      break;
    case part_kind::image:
      if (!p.url.empty())
        w.field("type", "uri").field("modality", "image").field("uri", p.url);
      else
        w.field("type", "blob")
          .field("modality", "image")
          .field("mime_type", p.media_type);
      break;
    case part_kind::tool_call:
      w.field("type", "tool_call")
        .field("id", p.id)
        .field("name", p.name)
        .field("arguments", p.arguments);
      break;
    case part_kind::tool_result: {
      std::string response;
      for (const auto& c : p.content)
        if (c.kind == part_kind::text) {
          if (!response.empty())
            response += '\n';
          response += c.text;
        }
      w.field("type", "tool_call_response")
        .field("id", p.id)
        .field("response", response);
      break;
    }
  }
  w.end_object();
}

} // namespace

std::string
system_instructions_json(const std::vector<engine::chat_message>& messages) {
  std::string out;
  engine::json_writer w{out};
  bool any = false;
  w.begin_array();
  for (const auto& m : messages) {
    if (!m.is_instruction())
      continue;
    for (const auto& p : m.parts) {
      write_part(w, p);
      any = true;
    }
  }
  w.end_array();
  if (!any)
    out.clear();
  return out;
}

std::string
input_messages_json(const std::vector<engine::chat_message>& messages) {
  std::string out;
  engine::json_writer w{out};
  w.begin_array();
  for (const auto& m : messages) {
    if (m.is_instruction())
      continue;
    w.begin_object();
    w.field("role", engine::to_string(m.role));
    w.key("parts").begin_array();
    for (const auto& p : m.parts)
      write_part(w, p);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  return out;
}

std::string output_messages_json(const engine::call_result& r) {
  std::string out;
  engine::json_writer w{out};
  w.begin_array().begin_object();
  w.field("role", "assistant");
  w.key("parts").begin_array();
  for (const auto& p : r.content)
    if (p.kind == engine::part_kind::reasoning)
      write_part(w, p);
  if (!r.text.empty())
    write_part(w, engine::content_part::make_text(r.text));
  for (const auto& p : r.content)
    if (p.kind != engine::part_kind::reasoning)
      write_part(w, p);
  w.end_array();
  w.field("finish_reason", r.finish_reason);
  w.end_object().end_array();
  return out;
}

} // namespace switchyard::telemetry
