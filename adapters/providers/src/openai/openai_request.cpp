// The chat completions request, written from the conversation model, and the
// model listing: how it is asked for and read.
#include "json_support.hpp"
#include "model_listing_support.hpp"
#include "switchyard/providers/openai/openai_format.hpp"

namespace switchyard::providers {

using namespace detail;

namespace {

constexpr std::string_view provider_name = "an OpenAI chat completions "
                                           "upstream";

using engine::message_role;
using engine::part_kind;

/// One `role: "tool"` message per result: OpenAI answers one call per
/// message. Its content is text only. `is_error` has no field in chat
/// completions, so a failed result's text starts with "Error: ".
std::string write_tool_results(engine::json_writer& w, std::size_t index,
                               const engine::chat_message& m) {
  for (const auto& p : m.parts) {
    if (p.kind != part_kind::tool_result)
      return misplaced_part(index, m.role, p.kind, provider_name);
    for (const auto& c : p.content) {
      if (c.kind == part_kind::image)
        return cannot_express("tool_result image", provider_name,
                              "a tool result there is text only");
      if (c.kind != part_kind::text)
        return misplaced_part(index, m.role, c.kind, provider_name);
    }
    w.begin_object();
    w.field("role", "tool");
    w.field("tool_call_id", p.id);
    w.key("content");
    write_tool_result_content(w, p);
    w.end_object();
  }
  return {};
}

std::string write_messages(engine::json_writer& w,
                           const std::vector<engine::chat_message>& messages) {
  w.key("messages").begin_array();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    if (m.role == message_role::tool) {
      if (auto why = write_tool_results(w, i, m); !why.empty())
        return why;
      continue;
    }
    bool has_calls = false;
    for (const auto& p : m.parts) {
      if (p.kind == part_kind::reasoning)
        continue;
      if (!openai_style_part_fits(m.role, p.kind))
        return misplaced_part(i, m.role, p.kind, provider_name);
      has_calls = has_calls || p.kind == part_kind::tool_call;
    }
    w.begin_object();
    w.field("role", engine::to_string(m.role));
    write_openai_style_content(w, m, has_calls);
    if (!m.name.empty())
      w.field("name", m.name);
    if (has_calls)
      write_openai_tool_calls(w, m);
    w.end_object();
  }
  w.end_array();
  return {};
}

void write_tool_choice(engine::json_writer& w, const engine::tool_choice& c) {
  switch (c.mode) {
    case engine::tool_choice_mode::unset: return;
    case engine::tool_choice_mode::auto_:
      w.field("tool_choice", "auto");
      return;
    case engine::tool_choice_mode::none: w.field("tool_choice", "none"); return;
    case engine::tool_choice_mode::required:
      w.field("tool_choice", "required");
      return;
    case engine::tool_choice_mode::named:
      w.key("tool_choice").begin_object();
      w.field("type", "function");
      w.key("function").begin_object();
      w.field("name", c.name);
      w.end_object();
      w.end_object();
      return;
  }
}

std::string write_response_format(engine::json_writer& w,
                                  const engine::response_format& f) {
  using engine::response_format_kind;
  if (f.kind == response_format_kind::unset)
    return {};
  w.key("response_format").begin_object();
  switch (f.kind) {
    case response_format_kind::text: w.field("type", "text"); break;
    case response_format_kind::json_object:
      w.field("type", "json_object");
      break;
    case response_format_kind::json_schema:
      if (!f.schema.empty() && !is_json_object(f.schema))
        return "response_format.json_schema.schema is not a JSON object";
      w.field("type", "json_schema");
      w.key("json_schema").begin_object();
      // OpenAI requires a name; callers of other APIs may not give one.
      w.field("name", f.name.empty() ? std::string_view{"response"}
                                     : std::string_view{f.name});
      if (!f.description.empty())
        w.field("description", f.description);
      if (!f.schema.empty())
        w.key("schema").raw(f.schema);
      if (f.strict)
        w.field("strict", *f.strict);
      w.end_object();
      break;
    case response_format_kind::unset: break;
  }
  w.end_object();
  return {};
}

std::string write_options(engine::json_writer& w,
                          const engine::request_options& o) {
  if (!o.tools.empty()) {
    w.key("tools");
    if (auto why = write_function_tools(w, o.tools, true, true); !why.empty())
      return why;
  }
  write_tool_choice(w, o.choice);
  if (o.parallel_tool_calls)
    w.field("parallel_tool_calls", *o.parallel_tool_calls);
  if (auto why = write_response_format(w, o.format); !why.empty())
    return why;
  if (o.seed)
    w.field("seed", *o.seed);
  if (o.top_p)
    w.field("top_p", *o.top_p);
  if (o.logprobs)
    w.field("logprobs", *o.logprobs);
  if (o.top_logprobs)
    w.field("top_logprobs", *o.top_logprobs);
  if (!o.reasoning_effort.empty())
    w.field("reasoning_effort", o.reasoning_effort);
  if (!o.user.empty())
    w.field("user", o.user);
  return {};
}

} // namespace

std::string openai_format::build_request(const engine::call_request& req,
                                         bool stream,
                                         std::string_view base_path,
                                         http::client_request& out) const {
  const auto& o = req.options;
  if (o.top_k)
    return cannot_express("top_k", provider_name);
  if (o.thinking_budget)
    return cannot_express("thinking", provider_name,
                          "use reasoning_effort instead");
  begin_json_post(out, std::string{base_path} + "/chat/completions", stream);
  engine::json_writer w{out.body};
  w.begin_object();
  w.field("model", req.upstream_model);
  if (auto why = write_messages(w, req.messages); !why.empty())
    return why;
  if (auto why = write_options(w, o); !why.empty())
    return why;
  if (req.temperature)
    w.field("temperature", *req.temperature);
  w.field(uses_max_completion_tokens(req.upstream_model)
            ? "max_completion_tokens"
            : "max_tokens",
          req.max_tokens);
  if (!req.stop.empty())
    write_string_array(w, "stop", req.stop);
  if (stream) {
    w.field("stream", true);
    // Usage on streams too, so a streamed call's cost is real.
    w.key("stream_options").begin_object();
    w.field("include_usage", true);
    w.end_object();
  }
  w.end_object();
  return {};
}

void openai_format::authorize(std::string_view key,
                              http::header_list& headers) const {
  headers.push_back({"Authorization", "Bearer " + std::string{key}});
}

bool openai_format::uses_max_completion_tokens(
  std::string_view model) noexcept {
  auto starts = [&](std::string_view p) {
    return model.substr(0, p.size()) == p;
  };
  return starts("o1") || starts("o3") || starts("o4") || starts("gpt-5");
}

void openai_format::build_models_request(std::string_view base_path,
                                         http::client_request& out) const {
  begin_json_get(out, std::string{base_path} + "/models");
}

bool openai_format::parse_models(std::string& body,
                                 engine::model_listing& out) const {
  return read_model_names(body, {"data", {"id"}, {}}, out);
}

} // namespace switchyard::providers
