// The chat v2 request, written from the conversation model, and the
// model listing: how it is asked for and read.
#include "json_support.hpp"
#include "model_listing_support.hpp"
#include "switchyard/providers/cohere/cohere_format.hpp"

namespace switchyard::providers {

using namespace detail;

namespace {

constexpr std::string_view provider_name = "Cohere";

using engine::message_role;
using engine::part_kind;

/// The fields chat v2 has no way to carry, checked before anything is
/// written.
std::string refuse_options(const engine::request_options& o) {
  if (o.choice.mode == engine::tool_choice_mode::named)
    return cannot_express("tool_choice", provider_name,
                          "it cannot force one named tool; use \"required\"");
  if (o.parallel_tool_calls && !*o.parallel_tool_calls)
    return cannot_express("parallel_tool_calls", provider_name);
  if ((o.logprobs && *o.logprobs) || o.top_logprobs)
    return cannot_express("logprobs", provider_name);
  if (!o.reasoning_effort.empty())
    return cannot_express("reasoning_effort", provider_name);
  if (o.thinking_budget)
    return cannot_express("thinking", provider_name);
  return {};
}

/// An assistant turn: its text, `tool_calls` in OpenAI's shape, and the
/// `tool_plan` Cohere wrote before them (kept as reasoning named "cohere";
/// another provider's reasoning is not sent).
void write_assistant(engine::json_writer& w, const engine::chat_message& m) {
  std::string plan;
  bool has_text = false;
  bool has_calls = false;
  for (const auto& p : m.parts) {
    has_text = has_text || p.kind == part_kind::text;
    has_calls = has_calls || p.kind == part_kind::tool_call;
    if (p.kind == part_kind::reasoning && p.name == "cohere" && !is_signed(p))
      plan += p.text;
  }
  if (has_text || !has_calls)
    write_openai_style_content(w, m, false);
  if (!has_calls)
    return;
  if (!plan.empty())
    w.field("tool_plan", plan);
  write_openai_tool_calls(w, m);
}

/// One `role: "tool"` message per result, answering its call by id; the
/// content is text (chat v2 has no image in a tool result). `is_error` has
/// no field, so a failed result's text starts with "Error: ".
std::string write_tool_results(engine::json_writer& w, std::size_t index,
                               const engine::chat_message& m) {
  for (const auto& p : m.parts) {
    if (p.kind != part_kind::tool_result)
      return misplaced_part(index, m.role, p.kind, provider_name);
    for (const auto& c : p.content)
      if (c.kind != part_kind::text)
        return c.kind == part_kind::image
                 ? cannot_express("tool_result image", provider_name)
                 : misplaced_part(index, m.role, c.kind, provider_name);
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
                           const std::vector<engine::chat_message>& ms) {
  w.key("messages").begin_array();
  for (std::size_t i = 0; i < ms.size(); ++i) {
    const auto& m = ms[i];
    if (m.role == message_role::tool) {
      if (auto why = write_tool_results(w, i, m); !why.empty())
        return why;
      continue;
    }
    for (const auto& p : m.parts) {
      if (!openai_style_part_fits(m.role, p.kind))
        return misplaced_part(i, m.role, p.kind, provider_name);
    }
    w.begin_object();
    // Chat v2 knows no developer role; it is an instruction like system.
    w.field("role", m.is_instruction() ? std::string_view{"system"}
                                       : engine::to_string(m.role));
    if (m.role == message_role::assistant)
      write_assistant(w, m);
    else
      write_openai_style_content(w, m, false);
    w.end_object();
  }
  w.end_array();
  return {};
}

/// `response_format`: a schema rides in a json_object format; its name
/// has no field (Cohere always enforces the schema it is given).
std::string write_response_format(engine::json_writer& w,
                                  const engine::response_format& f) {
  using engine::response_format_kind;
  if (f.kind == response_format_kind::unset)
    return {};
  if (f.kind == response_format_kind::json_schema && !f.schema.empty()
      && !is_json_object(f.schema))
    return "response_format.json_schema.schema is not a JSON object";
  w.key("response_format").begin_object();
  if (f.kind == response_format_kind::text) {
    w.field("type", "text");
  } else {
    w.field("type", "json_object");
    if (f.kind == response_format_kind::json_schema && !f.schema.empty())
      w.key("json_schema").raw(f.schema);
  }
  w.end_object();
  return {};
}

std::string write_options(engine::json_writer& w,
                          const engine::request_options& o) {
  if (!o.tools.empty()) {
    w.key("tools");
    if (auto why = write_function_tools(w, o.tools, false, false); !why.empty())
      return why;
    // One switch for all tools: strict when any tool asks for it.
    bool strict = false;
    for (const auto& t : o.tools)
      strict = strict || (t.strict && *t.strict);
    if (strict)
      w.field("strict_tools", true);
  }
  if (o.choice.mode == engine::tool_choice_mode::required)
    w.field("tool_choice", "REQUIRED");
  else if (o.choice.mode == engine::tool_choice_mode::none)
    w.field("tool_choice", "NONE");
  if (auto why = write_response_format(w, o.format); !why.empty())
    return why;
  if (o.seed)
    w.field("seed", *o.seed);
  if (o.top_p)
    w.field("p", *o.top_p);
  if (o.top_k)
    w.field("k", *o.top_k);
  return {};
}

} // namespace

std::string cohere_format::build_request(const engine::call_request& req,
                                         bool stream,
                                         std::string_view base_path,
                                         http::client_request& out) const {
  if (auto why = refuse_options(req.options); !why.empty())
    return why;
  begin_json_post(out, std::string{base_path} + "/chat", stream);
  engine::json_writer w{out.body};
  w.begin_object();
  w.field("model", req.upstream_model);
  if (auto why = write_messages(w, req.messages); !why.empty())
    return why;
  if (auto why = write_options(w, req.options); !why.empty())
    return why;
  if (req.temperature)
    w.field("temperature", *req.temperature);
  w.field("max_tokens", req.max_tokens);
  if (!req.stop.empty())
    write_string_array(w, "stop_sequences", req.stop);
  w.field("stream", stream);
  w.end_object();
  return {};
}

void cohere_format::authorize(std::string_view key,
                              http::header_list& headers) const {
  headers.push_back({"Authorization", "Bearer " + std::string{key}});
}

void cohere_format::build_models_request(std::string_view base_path,
                                         http::client_request& out) const {
  // The listing is on v1 even for v2 chat: the base's trailing /v2 (where
  // chat lives) becomes /v1. A base without it is taken as the API root.
  constexpr std::string_view chat_version = "/v2";
  if (base_path.ends_with(chat_version))
    base_path.remove_suffix(chat_version.size());
  // Only the models chat serves, in one page (the default is 20).
  begin_json_get(out, std::string{base_path}
                        + "/v1/models?endpoint=chat&page_size=1000");
}

bool cohere_format::parse_models(std::string& body,
                                 engine::model_listing& out) const {
  return read_model_names(body, {"models", {"name"}, {}}, out);
}

} // namespace switchyard::providers
