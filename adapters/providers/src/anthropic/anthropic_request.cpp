// The messages request, written from the conversation model, and the
// model listing: how it is asked for and read.
#include "json_support.hpp"
#include "model_listing_support.hpp"
#include "switchyard/providers/anthropic/anthropic_format.hpp"

namespace switchyard::providers {

using namespace detail;
using engine::content_part;
using engine::message_role;
using engine::part_kind;

namespace {

// -- the request -------------------------------------------------------------

std::string cannot_send(std::string_view field) {
  return cannot_express(field, "Anthropic");
}

std::string check_options(const engine::request_options& o) {
  using engine::response_format_kind;
  if (o.seed)
    return cannot_send("seed");
  if (o.format.kind == response_format_kind::json_object)
    return cannot_send("response_format.json_object");
  if (o.format.kind == response_format_kind::json_schema)
    return cannot_send("response_format.json_schema");
  if ((o.logprobs && *o.logprobs) || o.top_logprobs)
    return cannot_send("logprobs");
  if (!o.reasoning_effort.empty())
    return cannot_send("reasoning_effort");
  for (const auto& t : o.tools)
    if (t.strict && *t.strict)
      return cannot_send("tools['" + t.name + "'].strict");
  return {};
}

void write_cache_control(engine::json_writer& w, std::string_view cc) {
  // Ingress keeps it as the JSON text it parsed: valid by construction.
  if (!cc.empty())
    w.key("cache_control").raw(cc);
}

/// Whether `p` becomes a block: empty text is refused by the API, and only
/// Anthropic's own signed thinking goes back (unsigned reasoning is the
/// model's own; another format's stays with that format).
bool writes_block(const content_part& p) {
  if (p.kind == part_kind::text)
    return !p.text.empty();
  if (p.kind == part_kind::reasoning)
    return p.name == anthropic_format::reasoning_name && is_signed(p);
  return true;
}

std::string write_block(engine::json_writer& w, const content_part& p);

std::string write_image(engine::json_writer& w, const content_part& p) {
  if (p.url.empty() && p.data.empty())
    return "an image part has neither url nor data";
  if (!p.data.empty() && p.media_type.empty())
    return "an image's media_type is missing (Anthropic needs it with "
           "base64 data)";
  w.begin_object();
  w.field("type", "image");
  w.key("source").begin_object();
  if (!p.data.empty()) {
    w.field("type", "base64");
    w.field("media_type", p.media_type);
    w.field("data", p.data);
  } else {
    w.field("type", "url");
    w.field("url", p.url);
  }
  w.end_object();
  write_cache_control(w, p.cache_control);
  w.end_object();
  return {};
}

std::string write_tool_result(engine::json_writer& w, const content_part& p) {
  w.begin_object();
  w.field("type", "tool_result");
  w.field("tool_use_id", p.id);
  if (!p.content.empty()) {
    w.key("content").begin_array();
    for (const auto& c : p.content) {
      if (c.kind != part_kind::text && c.kind != part_kind::image)
        return cannot_send("a " + std::string{to_string(c.kind)}
                           + " part inside the tool_result for call '" + p.id
                           + "'");
      if (writes_block(c))
        if (auto why = write_block(w, c); !why.empty())
          return why;
    }
    w.end_array();
  }
  if (p.is_error)
    w.field("is_error", true);
  write_cache_control(w, p.cache_control);
  w.end_object();
  return {};
}

std::string write_block(engine::json_writer& w, const content_part& p) {
  switch (p.kind) {
    case part_kind::text:
      w.begin_object();
      w.field("type", "text");
      w.field("text", p.text);
      break;
    case part_kind::image: return write_image(w, p);
    case part_kind::tool_call: {
      auto args = arguments_object(p);
      if (args.empty())
        return bad_arguments(p);
      w.begin_object();
      w.field("type", "tool_use");
      w.field("id", p.id);
      w.field("name", p.name);
      w.key("input").raw(args);
      break;
    }
    case part_kind::tool_result: return write_tool_result(w, p);
    case part_kind::reasoning:
      w.begin_object();
      if (p.redacted) {
        w.field("type", "redacted_thinking");
        w.field("data", p.data);
      } else {
        w.field("type", "thinking");
        w.field("thinking", p.text);
        w.field("signature", p.signature);
      }
      break;
  }
  write_cache_control(w, p.cache_control);
  w.end_object();
  return {};
}

/// `system`: a string, or text blocks when any carries `cache_control`
/// (the option marks the last block, where Anthropic's cache prefix ends).
std::string write_system(engine::json_writer& w,
                         const std::vector<engine::chat_message>& messages,
                         std::string_view system_cache_control) {
  std::vector<const content_part*> texts;
  bool marked = !system_cache_control.empty();
  for (const auto& m : messages) {
    if (!m.is_instruction())
      continue;
    for (const auto& p : m.parts) {
      if (p.kind != part_kind::text)
        return cannot_send("a " + std::string{to_string(p.kind)}
                           + " part in a system message");
      if (p.text.empty())
        continue;
      texts.push_back(&p);
      marked = marked || !p.cache_control.empty();
    }
  }
  if (texts.empty())
    return {};
  if (!marked) {
    w.field("system", join_instructions(messages));
    return {};
  }
  w.key("system").begin_array();
  for (const auto* p : texts) {
    w.begin_object();
    w.field("type", "text");
    w.field("text", p->text);
    write_cache_control(w, p == texts.back() && p->cache_control.empty()
                             ? system_cache_control
                             : std::string_view{p->cache_control});
    w.end_object();
  }
  w.end_array();
  return {};
}

std::string write_messages(engine::json_writer& w,
                           const std::vector<engine::chat_message>& ms) {
  w.key("messages").begin_array();
  for (std::size_t i = 0; i < ms.size();) {
    const auto& m = ms[i];
    std::size_t end = i + 1;
    if (m.role == message_role::tool) {
      // Consecutive tool messages and the user message after them are one
      // user turn, tool_results first, as the API requires.
      while (end < ms.size() && ms[end].role == message_role::tool)
        ++end;
      if (end < ms.size() && ms[end].role == message_role::user)
        ++end;
    }
    bool any = false;
    for (auto j = i; j < end && !m.is_instruction(); ++j)
      for (const auto& p : ms[j].parts)
        any = any || writes_block(p);
    if (any) {
      w.begin_object();
      w.field("role", m.role == message_role::assistant ? "assistant" : "user");
      w.key("content").begin_array();
      for (auto j = i; j < end; ++j)
        for (const auto& p : ms[j].parts)
          if (writes_block(p))
            if (auto why = write_block(w, p); !why.empty())
              return why;
      w.end_array();
      w.end_object();
    }
    i = end;
  }
  w.end_array();
  return {};
}

std::string write_tools(engine::json_writer& w,
                        const engine::request_options& o) {
  using engine::tool_choice_mode;
  if (!o.tools.empty()) {
    w.key("tools").begin_array();
    for (const auto& t : o.tools) {
      std::string_view schema = t.parameters;
      if (schema.empty()) // the API requires one
        schema = R"({"type":"object"})";
      if (!is_json_object(schema))
        return "tools['" + t.name + "'].parameters is not a JSON object";
      w.begin_object();
      w.field("name", t.name);
      if (!t.description.empty())
        w.field("description", t.description);
      w.key("input_schema").raw(schema);
      write_cache_control(w, t.cache_control);
      w.end_object();
    }
    w.end_array();
  }
  bool serial = o.parallel_tool_calls && !*o.parallel_tool_calls;
  if (o.choice.mode == tool_choice_mode::unset && !serial)
    return {};
  w.key("tool_choice").begin_object();
  switch (o.choice.mode) {
    case tool_choice_mode::unset:
    case tool_choice_mode::auto_: w.field("type", "auto"); break;
    case tool_choice_mode::none: w.field("type", "none"); break;
    case tool_choice_mode::required: w.field("type", "any"); break;
    case tool_choice_mode::named:
      if (o.choice.name.empty())
        return "tool_choice names no tool";
      w.field("type", "tool");
      w.field("name", o.choice.name);
      break;
  }
  if (serial && o.choice.mode != tool_choice_mode::none)
    w.field("disable_parallel_tool_use", true);
  w.end_object();
  return {};
}

} // namespace

std::string anthropic_format::build_request(const engine::call_request& req,
                                            bool stream,
                                            std::string_view base_path,
                                            http::client_request& out) const {
  const auto& o = req.options;
  if (auto why = check_options(o); !why.empty())
    return why;
  begin_json_post(out, std::string{base_path} + "/v1/messages", stream);
  out.headers.push_back({"anthropic-version", std::string{api_version}});
  engine::json_writer w{out.body};
  w.begin_object();
  w.field("model", req.upstream_model);
  w.field("max_tokens", req.max_tokens);
  if (auto why = write_system(w, req.messages, o.system_cache_control);
      !why.empty())
    return why;
  if (auto why = write_messages(w, req.messages); !why.empty())
    return why;
  if (auto why = write_tools(w, o); !why.empty())
    return why;
  if (req.temperature)
    w.field("temperature", *req.temperature);
  if (o.top_p)
    w.field("top_p", *o.top_p);
  if (o.top_k)
    w.field("top_k", *o.top_k);
  if (!req.stop.empty())
    write_string_array(w, "stop_sequences", req.stop);
  if (o.thinking_budget) {
    w.key("thinking").begin_object();
    w.field("type", "enabled");
    w.field("budget_tokens", *o.thinking_budget);
    w.end_object();
  }
  if (!o.user.empty()) {
    w.key("metadata").begin_object();
    w.field("user_id", o.user);
    w.end_object();
  }
  if (stream)
    w.field("stream", true);
  w.end_object();
  return {};
}

void anthropic_format::authorize(std::string_view key,
                                 http::header_list& headers) const {
  headers.push_back({"x-api-key", std::string{key}});
}

void anthropic_format::build_models_request(std::string_view base_path,
                                            http::client_request& out) const {
  // One page of the largest size the API allows (its default is 20).
  begin_json_get(out, std::string{base_path} + "/v1/models?limit=1000");
  out.headers.push_back({"anthropic-version", std::string{api_version}});
}

bool anthropic_format::parse_models(std::string& body,
                                    engine::model_listing& out) const {
  return read_model_names(body, {"data", {"id"}, {}}, out);
}

} // namespace switchyard::providers
