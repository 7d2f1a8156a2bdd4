#include "switchyard/providers/gemini/gemini_format.hpp"

#include "json_support.hpp"
#include "switchyard/engine/tool_call_assembler.hpp"
#include "switchyard/http/sse_parser.hpp"
#include "switchyard/http/url.hpp"

namespace switchyard::providers {

using namespace detail;
using engine::content_part;
using engine::message_role;
using engine::part_kind;

namespace {

// -- the request -------------------------------------------------------------

/// The reasoning parts' `name` that Gemini wrote: only its own signed
/// thoughts go back to it.
constexpr std::string_view own_reasoning = "gemini";

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
    return p.name == own_reasoning && !p.signature.empty();
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

std::string_view
gemini_format::normalize_finish_reason(std::string_view reason) noexcept {
  if (reason == "MAX_TOKENS")
    return "length";
  if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST"
      || reason == "PROHIBITED_CONTENT" || reason == "SPII"
      || reason == "IMAGE_SAFETY")
    return "content_filter";
  if (reason == "MALFORMED_FUNCTION_CALL")
    return "error";
  return "stop";
}

namespace {

// -- the answer --------------------------------------------------------------

/// One part of a candidate's content. Views into the parsed document.
struct part_fields {
  bool has_text = false;
  std::string_view text;
  bool thought = false;
  std::string_view signature;
  bool has_call = false;
  std::string_view call_id;
  std::string_view call_name;
  std::string_view call_args;
};

/// What one GenerateContentResponse holds (the first candidate only).
struct gemini_piece {
  std::vector<part_fields> parts;
  std::string_view finish_reason;
  bool has_candidates = false;
  std::string_view block_reason;
  std::optional<std::uint32_t> input_tokens;
  std::optional<std::uint32_t> output_tokens;
  /// An `error` object (sent inside a stream).
  std::string_view error_status;
  std::string_view error_message;
};

error_code read_call(od::value& v, part_fields& p) {
  od::object call;
  if (auto e = v.get_object().get(call))
    return e;
  p.has_call = true;
  return for_each_field(call, [&](std::string_view key, od::value& f) {
    if (key == "args")
      return read_raw(f, p.call_args);
    if (key == "name")
      return read_string(f, p.call_name);
    if (key == "id")
      return read_string(f, p.call_id);
    return simdjson::SUCCESS;
  });
}

error_code read_part(od::value& v, part_fields& p) {
  od::object obj;
  if (auto e = v.get_object().get(obj))
    return e;
  // The API writes camelCase and accepts snake_case; read both.
  return for_each_field(obj, [&](std::string_view key, od::value& f) {
    if (key == "text") {
      p.has_text = true;
      return read_string(f, p.text);
    }
    if (key == "thought")
      return f.get_bool().get(p.thought);
    if (key == "thoughtSignature" || key == "thought_signature")
      return read_string(f, p.signature);
    if (key == "functionCall" || key == "function_call")
      return read_call(f, p);
    return simdjson::SUCCESS;
  });
}

error_code read_candidate(od::value& v, gemini_piece& piece) {
  od::object c;
  if (auto e = v.get_object().get(c))
    return e;
  return for_each_field(c, [&](std::string_view key, od::value& cv) {
    if (key == "finishReason")
      return read_string(cv, piece.finish_reason);
    if (key != "content")
      return simdjson::SUCCESS;
    od::object content;
    if (auto e = cv.get_object().get(content))
      return e;
    return for_each_field(content, [&](std::string_view tk, od::value& tv) {
      if (tk != "parts")
        return simdjson::SUCCESS;
      od::array parts;
      if (auto e = tv.get_array().get(parts))
        return e;
      return for_each_element(parts, [&](od::value& part) {
        return read_part(part, piece.parts.emplace_back());
      });
    });
  });
}

/// Reads the string fields `keys` of the object `v` into `outs`.
template<std::size_t N>
error_code read_strings(od::value& v, const std::string_view (&keys)[N],
                        std::string_view* const (&outs)[N]) {
  od::object obj;
  if (auto e = v.get_object().get(obj))
    return e;
  return for_each_field(obj, [&](std::string_view key, od::value& f) {
    for (std::size_t i = 0; i < N; ++i)
      if (key == keys[i])
        return read_string(f, *outs[i]);
    return simdjson::SUCCESS;
  });
}

error_code read_usage(od::value& v, gemini_piece& piece) {
  od::object usage;
  if (auto e = v.get_object().get(usage))
    return e;
  return for_each_field(usage, [&](std::string_view key, od::value& n) {
    std::uint32_t count = 0;
    bool input = key == "promptTokenCount";
    // Thinking is billed as output.
    if (!input && key != "candidatesTokenCount" && key != "thoughtsTokenCount")
      return simdjson::SUCCESS;
    if (auto e = read_u32(n, count))
      return e;
    auto& slot = input ? piece.input_tokens : piece.output_tokens;
    slot = slot.value_or(0) + count;
    return simdjson::SUCCESS;
  });
}

error_code read_response(od::object root, gemini_piece& piece) {
  return for_each_field(root, [&](std::string_view key, od::value& v) {
    if (key == "usageMetadata")
      return read_usage(v, piece);
    if (key == "promptFeedback")
      return read_strings<1>(v, {"blockReason"}, {&piece.block_reason});
    if (key == "error")
      return read_strings<2>(v, {"status", "message"},
                             {&piece.error_status, &piece.error_message});
    if (key != "candidates")
      return simdjson::SUCCESS;
    od::array candidates;
    if (auto e = v.get_array().get(candidates))
      return e;
    return for_each_element(candidates, [&](od::value& cand) {
      if (piece.has_candidates)
        return simdjson::SUCCESS;
      piece.has_candidates = true;
      return read_candidate(cand, piece);
    });
  });
}

/// An answer built from its parts as they come, whole or streamed: text to
/// `result.text`; thoughts and calls, in order, to `result.content` at the
/// end. Call ids are the API's when it sends one, else `call_<position>`.
class gemini_answer {
 public:
  /// Adds one part; `on_chunk` (when set) gets it at once as a chunk.
  void add(const part_fields& p, engine::call_result& result,
           const chunk_callback& on_chunk) {
    engine::stream_chunk chunk;
    std::string id;
    std::string_view args = p.call_args.empty() ? "{}" : p.call_args;
    if (p.has_call) {
      id = p.call_id.empty() ? "call_" + std::to_string(calls_.calls().size())
                             : std::string{p.call_id};
      auto at = calls_.add_whole(id, p.call_name, args);
      signatures_.emplace_back(p.signature);
      order_.emplace_back(true, at.position);
      chunk.tool_index = at.position;
      chunk.tool_id = id;
      chunk.tool_name = p.call_name;
      chunk.tool_arguments = args;
    } else if (p.thought || !p.signature.empty()) {
      add_reasoning(p);
      chunk.reasoning_signature = p.signature;
    }
    if (p.thought) {
      chunk.reasoning = p.text;
    } else if (!p.has_call) {
      result.text += p.text;
      chunk.delta = p.text;
    }
    bool any = chunk.tool_index || !chunk.reasoning.empty()
               || !chunk.reasoning_signature.empty() || !chunk.delta.empty();
    if (any && on_chunk)
      on_chunk(chunk);
  }

  [[nodiscard]] bool has_calls() const noexcept {
    return !calls_.empty();
  }

  /// Moves the thoughts and calls into `result.content`, in order.
  void finish(engine::call_result& result) {
    auto calls = calls_.take();
    for (std::size_t i = 0; i < calls.size(); ++i)
      calls[i].signature = std::move(signatures_[i]);
    for (auto [is_call, at] : order_)
      result.content.push_back(is_call ? std::move(calls[at])
                                       : std::move(reasoning_[at]));
    order_.clear();
  }

 private:
  /// A thought (streamed thoughts join the unsigned one before them), or a
  /// signature that came on a text part (kept to be sent back).
  void add_reasoning(const part_fields& p) {
    std::string_view text = p.thought ? p.text : std::string_view{};
    if (p.thought && !order_.empty() && !order_.back().first
        && reasoning_[order_.back().second].signature.empty()) {
      auto& last = reasoning_[order_.back().second];
      last.text += text;
      last.signature = p.signature;
      return;
    }
    auto r = make_reasoning(std::string{text}, own_reasoning);
    r.signature = p.signature;
    order_.emplace_back(false, reasoning_.size());
    reasoning_.push_back(std::move(r));
  }

  engine::tool_call_assembler calls_;
  /// Each call's thought signature, by position.
  std::vector<std::string> signatures_;
  std::vector<content_part> reasoning_;
  /// (is a call, position in calls_ or reasoning_), in the answer's order.
  std::vector<std::pair<bool, std::size_t>> order_;
};

/// The finish reason of a piece: a STOP that made calls is tool_calls.
std::string_view finish_reason_of(const gemini_piece& piece,
                                  const gemini_answer& answer) {
  auto reason = gemini_format::normalize_finish_reason(piece.finish_reason);
  return reason == "stop" && answer.has_calls() ? "tool_calls" : reason;
}

engine::call_error classify_status(std::string_view status) {
  if (status == "RESOURCE_EXHAUSTED")
    return engine::call_error::rate_limited;
  if (status == "INVALID_ARGUMENT" || status == "FAILED_PRECONDITION"
      || status == "PERMISSION_DENIED" || status == "NOT_FOUND"
      || status == "UNAUTHENTICATED")
    return engine::call_error::client_error;
  return engine::call_error::server_error;
}

class gemini_stream_decoder final : public stream_decoder {
 public:
  bool feed(std::string_view bytes, const chunk_callback& on_chunk,
            engine::call_result& result) override {
    sse_.feed(bytes);
    http::sse_event event;
    while (sse_.next(event))
      if (!on_event(event.data, on_chunk, result))
        return false;
    if (sse_.overflowed())
      return fail_malformed(result, "malformed stream: an event exceeds the "
                                    "size limit");
    return true;
  }

  bool finish(engine::call_result& result) override {
    answer_.finish(result);
    return finished_;
  }

 private:
  bool on_event(std::string_view data, const chunk_callback& on_chunk,
                engine::call_result& result) {
    od::document doc;
    od::object root;
    auto e = parser_.iterate(copy_.load(data)).get(doc);
    if (!e)
      e = doc.get_object().get(root);
    gemini_piece piece;
    if (!e)
      e = read_response(root, piece);
    if (e)
      return fail_malformed(result, malformed("unexpected stream event", e));
    if (!piece.error_status.empty() || !piece.error_message.empty()) {
      result.error = classify_status(piece.error_status);
      result.finish_reason = "error";
      result.error_message = "error event in stream: "
                             + std::string{piece.error_status} + ": "
                             + std::string{piece.error_message};
      return false;
    }
    for (const auto& p : piece.parts)
      answer_.add(p, result, on_chunk);
    engine::stream_chunk chunk;
    if (!piece.block_reason.empty()) {
      finished_ = true;
      result.finish_reason = "content_filter";
      chunk.finish_reason = result.finish_reason;
    } else if (!piece.finish_reason.empty()) {
      finished_ = true;
      result.finish_reason = finish_reason_of(piece, answer_);
      chunk.finish_reason = result.finish_reason;
    }
    if (piece.input_tokens || piece.output_tokens) {
      // Each chunk reports the totals so far.
      result.input_tokens = piece.input_tokens.value_or(result.input_tokens);
      result.output_tokens = piece.output_tokens.value_or(result.output_tokens);
      chunk.input_tokens = result.input_tokens;
      chunk.output_tokens = result.output_tokens;
    }
    if ((!chunk.finish_reason.empty() || chunk.input_tokens) && on_chunk)
      on_chunk(chunk);
    return true;
  }

  http::sse_parser sse_;
  od::parser parser_;
  padded_copy copy_;
  gemini_answer answer_;
  bool finished_ = false;
};

} // namespace

bool gemini_format::parse_response(std::string& body,
                                   engine::call_result& result) const {
  thread_local od::parser parser;
  od::document doc;
  od::object root;
  auto e = parser.iterate(pad_in_place(body)).get(doc);
  if (!e)
    e = doc.get_object().get(root);
  gemini_piece piece;
  if (!e)
    e = read_response(root, piece);
  if (e)
    return fail_malformed(result,
                          malformed("unexpected GenerateContent response", e));
  result.input_tokens = piece.input_tokens.value_or(0);
  result.output_tokens = piece.output_tokens.value_or(0);
  if (!piece.block_reason.empty()) {
    result.finish_reason = "content_filter";
    return true;
  }
  if (!piece.has_candidates)
    return fail_malformed(result,
                          malformed("no candidates", simdjson::SUCCESS));
  gemini_answer answer;
  for (const auto& p : piece.parts)
    answer.add(p, result, {});
  result.finish_reason = finish_reason_of(piece, answer);
  answer.finish(result);
  return true;
}

std::unique_ptr<stream_decoder> gemini_format::make_stream_decoder() const {
  return std::make_unique<gemini_stream_decoder>();
}

} // namespace switchyard::providers
