// The GenerateContentResponse, whole and streamed, read into the
// conversation model.
#include "switchyard/providers/gemini/gemini_format.hpp"

#include "json_support.hpp"
#include "model_listing_support.hpp"
#include "switchyard/engine/tool_call_assembler.hpp"
#include "switchyard/http/sse_parser.hpp"

namespace switchyard::providers {

using namespace detail;
using engine::content_part;

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
    auto r = make_reasoning(std::string{text}, gemini_format::reasoning_name);
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
