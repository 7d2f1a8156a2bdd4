// The generateContent request, written from the conversation model, and the
// model listing: how it is asked for and read.
#include "json_support.hpp"
#include "model_listing_support.hpp"
#include "switchyard/http/url.hpp"
#include "switchyard/providers/gemini/gemini_format.hpp"

namespace switchyard::providers {

using namespace detail;
using engine::content_part;
using engine::message_role;
using engine::part_kind;

namespace {

// -- the request -------------------------------------------------------------

std::string cannot_send(std::string_view field, std::string_view hint = {}) {
  return cannot_express(field, "Gemini", hint);
}

std::string check_options(const engine::request_options& o) {
  if (o.parallel_tool_calls && !*o.parallel_tool_calls)
    return cannot_send("parallel_tool_calls=false");
  if ((o.logprobs && *o.logprobs) || o.top_logprobs)
    return cannot_send("logprobs");
  if (!o.reasoning_effort.empty())
    return cannot_send("reasoning_effort");
  if (o.thinking_budget)
    return cannot_send("thinking");
  for (const auto& t : o.tools)
    if (t.strict && *t.strict)
      return cannot_send("tools['" + t.name + "'].strict");
  return {};
}

/// Files Gemini reads itself: Cloud Storage and its own Files API. The
/// gateway never fetches any other URL for a client.
bool is_gemini_file(std::string_view url) {
  return url.starts_with("gs://")
         || url.starts_with("https://generativelanguage.googleapis.com/");
}

/// Whether `p` becomes a part. Empty text is refused by the API; unsigned
/// or foreign reasoning stays out (it is the model's own or another's).
bool writes_part(const content_part& p) {
  if (p.kind == part_kind::text)
    return !p.text.empty();
  if (p.kind == part_kind::reasoning)
    return p.name == gemini_format::reasoning_name && !p.signature.empty();
  return true;
}

std::string write_image(engine::json_writer& w, const content_part& p) {
  if (!p.data.empty()) {
    if (p.media_type.empty())
      return "an image's media_type is missing (Gemini needs it with base64 "
             "data)";
    w.key("inline_data").begin_object();
    w.field("mime_type", p.media_type);
    w.field("data", p.data);
    w.end_object();
    return {};
  }
  if (!is_gemini_file(p.url))
    return cannot_send("image_url '" + p.url.substr(0, 64) + "'",
                       "send the image as base64 data (Gemini reads only "
                       "gs:// and Files API URIs)");
  w.key("file_data").begin_object();
  if (!p.media_type.empty())
    w.field("mime_type", p.media_type);
  w.field("file_uri", p.url);
  w.end_object();
  return {};
}

std::string write_function_response(engine::json_writer& w,
                                    const content_part& p,
                                    std::string_view name) {
  for (const auto& c : p.content)
    if (c.kind != part_kind::text)
      return cannot_send("tool_result " + std::string{to_string(c.kind)}
                         + " (call '" + p.id + "')");
  auto text = joined_text(p.content);
  w.key("functionResponse").begin_object();
  w.field("name", name);
  // Gemini's convention: `error` for a failed call, else the output.
  w.key("response").begin_object().key(p.is_error ? "error" : "content");
  if (is_json_object(text))
    w.raw(text);
  else
    w.value(text);
  w.end_object();
  w.end_object();
  return {};
}

std::string write_part(engine::json_writer& w, const content_part& p,
                       const std::vector<engine::chat_message>& ms,
                       std::size_t message) {
  w.begin_object();
  switch (p.kind) {
    case part_kind::text: w.field("text", p.text); break;
    case part_kind::image:
      if (auto why = write_image(w, p); !why.empty())
        return why;
      break;
    case part_kind::tool_call: {
      auto args = arguments_object(p);
      if (args.empty())
        return bad_arguments(p);
      w.key("functionCall").begin_object();
      w.field("name", p.name);
      w.key("args").raw(args);
      w.end_object();
      if (!p.signature.empty())
        w.field("thoughtSignature", p.signature);
      break;
    }
    case part_kind::tool_result: {
      auto name = tool_result_name(ms, message, p);
      if (name.empty())
        return "tool_result for call '" + p.id
               + "' names no tool and answers no earlier call: Gemini "
                 "matches results by tool name";
      if (auto why = write_function_response(w, p, name); !why.empty())
        return why;
      break;
    }
    case part_kind::reasoning:
      w.field("text", p.text);
      if (!p.text.empty())
        w.field("thought", true);
      w.field("thoughtSignature", p.signature);
      break;
  }
  w.end_object();
  return {};
}

std::string write_contents(engine::json_writer& w,
                           const std::vector<engine::chat_message>& ms) {
  w.key("contents").begin_array();
  for (std::size_t i = 0; i < ms.size();) {
    const auto& m = ms[i];
    std::size_t end = i + 1;
    if (m.role == message_role::tool) {
      // One user turn answers all of a model turn's calls, in order.
      while (end < ms.size() && ms[end].role == message_role::tool)
        ++end;
      if (end < ms.size() && ms[end].role == message_role::user)
        ++end;
    }
    bool any = false;
    for (auto j = i; j < end && !m.is_instruction(); ++j)
      for (const auto& p : ms[j].parts)
        any = any || writes_part(p);
    if (any) {
      w.begin_object();
      w.field("role", m.role == message_role::assistant ? "model" : "user");
      w.key("parts").begin_array();
      for (auto j = i; j < end; ++j)
        for (const auto& p : ms[j].parts)
          if (writes_part(p))
            if (auto why = write_part(w, p, ms, j); !why.empty())
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
    w.key("tools").begin_array().begin_object();
    w.key("functionDeclarations").begin_array();
    for (const auto& t : o.tools) {
      if (!t.parameters.empty() && !is_json_object(t.parameters))
        return "tools['" + t.name + "'].parameters is not a JSON object";
      w.begin_object();
      w.field("name", t.name);
      if (!t.description.empty())
        w.field("description", t.description);
      if (!t.parameters.empty())
        w.key("parameters").raw(t.parameters);
      w.end_object();
    }
    w.end_array();
    w.end_object().end_array();
  }
  if (o.choice.mode == tool_choice_mode::unset)
    return {};
  if (o.choice.mode == tool_choice_mode::named && o.choice.name.empty())
    return "tool_choice names no tool";
  w.key("toolConfig").begin_object().key("functionCallingConfig");
  w.begin_object();
  w.field("mode", o.choice.mode == tool_choice_mode::auto_  ? "AUTO"
                  : o.choice.mode == tool_choice_mode::none ? "NONE"
                                                            : "ANY");
  if (o.choice.mode == tool_choice_mode::named) {
    w.key("allowedFunctionNames").begin_array();
    w.value(o.choice.name);
    w.end_array();
  }
  w.end_object().end_object();
  return {};
}

std::string write_generation_config(engine::json_writer& w,
                                    const engine::call_request& req) {
  using engine::response_format_kind;
  const auto& o = req.options;
  w.key("generationConfig").begin_object();
  if (req.temperature)
    w.field("temperature", *req.temperature);
  if (o.top_p)
    w.field("topP", *o.top_p);
  if (o.top_k)
    w.field("topK", *o.top_k);
  w.field("maxOutputTokens", req.max_tokens);
  if (!req.stop.empty())
    write_string_array(w, "stopSequences", req.stop);
  if (o.seed)
    w.field("seed", *o.seed);
  if (o.format.kind == response_format_kind::json_object
      || o.format.kind == response_format_kind::json_schema)
    w.field("responseMimeType", "application/json");
  if (o.format.kind == response_format_kind::json_schema) {
    if (!is_json_object(o.format.schema))
      return "response_format.json_schema.schema is not a JSON object";
    w.key("responseSchema").raw(o.format.schema);
  }
  w.end_object();
  return {};
}

} // namespace

std::string gemini_format::build_request(const engine::call_request& req,
                                         bool stream,
                                         std::string_view base_path,
                                         http::client_request& out) const {
  if (auto why = check_options(req.options); !why.empty())
    return why;
  begin_json_post(out,
                  std::string{base_path} + "/models/"
                    + http::escape_path_segment(req.upstream_model)
                    + (stream ? ":streamGenerateContent?alt=sse"
                              : ":generateContent"),
                  stream);
  engine::json_writer w{out.body};
  w.begin_object();
  if (auto why = write_contents(w, req.messages); !why.empty())
    return why;
  for (const auto& m : req.messages)
    for (const auto& p : m.parts)
      if (m.is_instruction() && p.kind != part_kind::text)
        return cannot_send("a " + std::string{to_string(p.kind)}
                           + " part in a system message");
  auto system = join_instructions(req.messages);
  if (!system.empty()) {
    w.key("systemInstruction").begin_object();
    w.key("parts").begin_array().begin_object();
    w.field("text", system);
    w.end_object().end_array();
    w.end_object();
  }
  if (auto why = write_tools(w, req.options); !why.empty())
    return why;
  if (auto why = write_generation_config(w, req); !why.empty())
    return why;
  // `user` (abuse monitoring) and cache_control are hints Gemini has no
  // field for; DESIGN.md lets hints reach only the upstreams that take them.
  w.end_object();
  return {};
}

void gemini_format::authorize(std::string_view key,
                              http::header_list& headers) const {
  headers.push_back({"x-goog-api-key", std::string{key}});
}

void gemini_format::build_models_request(std::string_view base_path,
                                         http::client_request& out) const {
  // The same base as generateContent's `{base}/models/{model}`; one page of
  // the largest size the API allows (its default is 50).
  begin_json_get(out, std::string{base_path} + "/models?pageSize=1000");
}

bool gemini_format::parse_models(std::string& body,
                                 engine::model_listing& out) const {
  return read_model_names(body, {"models", {"name"}, "models/"}, out);
}

} // namespace switchyard::providers
