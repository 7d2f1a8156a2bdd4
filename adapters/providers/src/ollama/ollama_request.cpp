// The /api/chat request, written from the conversation model, and the
// model listing: how it is asked for and read.
#include "json_support.hpp"
#include "model_listing_support.hpp"
#include "switchyard/providers/ollama/ollama_format.hpp"

namespace switchyard::providers {

using namespace detail;

namespace {

constexpr std::string_view provider_name = "Ollama";

using engine::message_role;
using engine::part_kind;

/// The fields Ollama has no way to carry, checked before anything is
/// written.
std::string refuse_options(const engine::request_options& o) {
  using engine::tool_choice_mode;
  if (o.choice.mode != tool_choice_mode::unset
      && o.choice.mode != tool_choice_mode::auto_)
    return cannot_express("tool_choice", provider_name,
                          "the model always chooses whether to call a tool");
  if (o.parallel_tool_calls && !*o.parallel_tool_calls)
    return cannot_express("parallel_tool_calls", provider_name);
  if ((o.logprobs && *o.logprobs) || o.top_logprobs)
    return cannot_express("logprobs", provider_name);
  if (!o.reasoning_effort.empty())
    return cannot_express("reasoning_effort", provider_name);
  if (o.thinking_budget)
    return cannot_express("thinking", provider_name);
  // Ollama's tools have no `strict`, and its `format` constrains only the
  // answer's text, not a call's arguments.
  for (const auto& t : o.tools)
    if (t.strict && *t.strict)
      return cannot_express("tools['" + t.name + "'].strict", provider_name);
  return {};
}

/// `images`: base64 only. A URL would have to be fetched, and the gateway
/// never fetches a URL for a client.
std::string write_images(engine::json_writer& w,
                         const engine::chat_message& m) {
  bool any = false;
  for (const auto& p : m.parts) {
    if (p.kind != part_kind::image)
      continue;
    std::string_view data = p.data;
    std::string_view media_type;
    if (!p.url.empty() && !split_data_url(p.url, media_type, data))
      return cannot_express("image_url", provider_name,
                            "it takes image bytes only; send the image as "
                            "base64 (a data: URL)");
    if (!any)
      w.key("images").begin_array();
    any = true;
    w.value(data);
  }
  if (any)
    w.end_array();
  return {};
}

/// `tool_calls: [{"function": {"name", "arguments": {...}}}]`: arguments
/// as an object, not OpenAI's JSON-in-a-string.
std::string write_tool_calls(engine::json_writer& w,
                             const engine::chat_message& m) {
  bool any = false;
  for (const auto& p : m.parts) {
    if (p.kind != part_kind::tool_call)
      continue;
    auto args = arguments_object(p);
    if (args.empty())
      return bad_arguments(p);
    if (!any)
      w.key("tool_calls").begin_array();
    any = true;
    w.begin_object();
    w.key("function").begin_object();
    w.field("name", p.name);
    w.key("arguments").raw(args);
    w.end_object();
    w.end_object();
  }
  if (any)
    w.end_array();
  return {};
}

/// One `role: "tool"` message per result, in order; `tool_name` tells the
/// model which tool answered (Ollama has no call ids). `is_error` has no
/// field, so a failed result's text starts with "Error: ".
std::string write_tool_results(engine::json_writer& w,
                               const std::vector<engine::chat_message>& ms,
                               std::size_t index) {
  const auto& m = ms[index];
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
    w.field("content", tool_result_text(p));
    if (auto name = tool_result_name(ms, index, p); !name.empty())
      w.field("tool_name", name);
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
      if (auto why = write_tool_results(w, ms, i); !why.empty())
        return why;
      continue;
    }
    for (const auto& p : m.parts) {
      if (!openai_style_part_fits(m.role, p.kind))
        return misplaced_part(i, m.role, p.kind, provider_name);
    }
    w.begin_object();
    // Ollama knows no developer role; it is an instruction like system.
    w.field("role", m.is_instruction() ? std::string_view{"system"}
                                       : engine::to_string(m.role));
    // One string: several text parts are joined.
    w.field("content", m.text());
    if (auto why = write_images(w, m); !why.empty())
      return why;
    if (auto why = write_tool_calls(w, m); !why.empty())
      return why;
    w.end_object();
  }
  w.end_array();
  return {};
}

/// `format`: "json", or the schema itself (its name and strictness have no
/// field: Ollama always constrains output to the schema).
std::string write_format(engine::json_writer& w,
                         const engine::response_format& f) {
  using engine::response_format_kind;
  if (f.kind == response_format_kind::json_object
      || (f.kind == response_format_kind::json_schema && f.schema.empty())) {
    w.field("format", "json");
  } else if (f.kind == response_format_kind::json_schema) {
    if (!is_json_object(f.schema))
      return "response_format.json_schema.schema is not a JSON object";
    w.key("format").raw(f.schema);
  }
  return {};
}

} // namespace

std::string ollama_format::build_request(const engine::call_request& req,
                                         bool stream,
                                         std::string_view base_path,
                                         http::client_request& out) const {
  const auto& o = req.options;
  if (auto why = refuse_options(o); !why.empty())
    return why;
  // Ollama streams NDJSON and takes no Accept.
  begin_json_post(out, std::string{base_path} + "/api/chat", stream, true);
  engine::json_writer w{out.body};
  w.begin_object();
  w.field("model", req.upstream_model);
  if (auto why = write_messages(w, req.messages); !why.empty())
    return why;
  if (!o.tools.empty()) {
    w.key("tools");
    if (auto why = write_function_tools(w, o.tools, false, false); !why.empty())
      return why;
  }
  if (auto why = write_format(w, o.format); !why.empty())
    return why;
  // Sent always: Ollama streams unless told not to.
  w.field("stream", stream);
  w.key("options").begin_object();
  if (req.temperature)
    w.field("temperature", *req.temperature);
  if (o.top_p)
    w.field("top_p", *o.top_p);
  if (o.top_k)
    w.field("top_k", *o.top_k);
  if (o.seed)
    w.field("seed", *o.seed);
  w.field("num_predict", req.max_tokens);
  if (!req.stop.empty())
    write_string_array(w, "stop", req.stop);
  w.end_object();
  w.end_object();
  return {};
}

void ollama_format::authorize(std::string_view key,
                              http::header_list& headers) const {
  headers.push_back({"Authorization", "Bearer " + std::string{key}});
}

void ollama_format::build_models_request(std::string_view base_path,
                                         http::client_request& out) const {
  begin_json_get(out, std::string{base_path} + "/api/tags");
}

bool ollama_format::parse_models(std::string& body,
                                 engine::model_listing& out) const {
  // `name`, or `model` from a server that sends only that.
  return read_model_names(body, {"models", {"name", "model"}, {}}, out);
}

} // namespace switchyard::providers
