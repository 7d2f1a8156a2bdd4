// The GenerateContentResponse, whole and streamed, read into the
// conversation model.
#include "switchyard/providers/gemini/gemini_format.hpp"

#include "json_object_parser.hpp"
#include "json_stream_decoder.hpp"
#include "json_support.hpp"
#include "name_table.hpp"
#include "tool_call_decoder.hpp"
#include "usage_counts.hpp"

namespace switchyard::providers {

using namespace detail;
using engine::content_part;

std::string_view
gemini_format::normalize_finish_reason(std::string_view reason) noexcept {
  constexpr std::string_view filtered = "content_filter";
  return lookup_name<std::string_view>(reason,
                                       {{"MAX_TOKENS", "length"},
                                        {"SAFETY", filtered},
                                        {"RECITATION", filtered},
                                        {"BLOCKLIST", filtered},
                                        {"PROHIBITED_CONTENT", filtered},
                                        {"SPII", filtered},
                                        {"IMAGE_SAFETY", filtered},
                                        {"MALFORMED_FUNCTION_CALL", "error"}},
                                       "stop");
}

namespace {

// -- the answer --------------------------------------------------------------

/// Thinking is billed as output.
const usage_keys gemini_usage{{"promptTokenCount"},
                              {"candidatesTokenCount", "thoughtsTokenCount"}};

/// One part of a candidate's content. Views into the parsed document.
struct part_fields {
  std::string_view text;
  bool thought = false;
  std::string_view signature;
  bool has_call = false;
  tool_call_decoder::fragment call;
};

/// What one GenerateContentResponse holds (the first candidate only).
struct gemini_piece {
  std::vector<part_fields> parts;
  std::string_view finish_reason;
  bool has_candidates = false;
  std::string_view block_reason;
  usage_counts usage;
  /// An `error` object (sent inside a stream).
  std::string_view error_status;
  std::string_view error_message;
};

/// `functionCall: {id, name, args}`: a call sent whole, `args` an object.
error_code read_call(od::value& v, part_fields& p) {
  p.has_call = true;
  return read_string_fields(v, {{"name", &p.call.name}, {"id", &p.call.id}},
                            [&](std::string_view key, od::value& f) {
                              return key == "args"
                                       ? read_raw(f, p.call.arguments)
                                       : simdjson::SUCCESS;
                            });
}

error_code read_part(od::value& v, part_fields& p) {
  // The API writes camelCase and accepts snake_case; read both.
  return for_each_field(v, [&](std::string_view key, od::value& f) {
    if (key == "text")
      return read_string(f, p.text);
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
  auto read_parts = [&](std::string_view key, od::value& content) {
    if (key != "parts")
      return simdjson::SUCCESS;
    return for_each_element(content, [&](od::value& part) {
      return read_part(part, piece.parts.emplace_back());
    });
  };
  return for_each_field(v, [&](std::string_view key, od::value& cv) {
    if (key == "finishReason")
      return read_string(cv, piece.finish_reason);
    return key == "content" ? for_each_field(cv, read_parts)
                            : simdjson::SUCCESS;
  });
}

error_code read_response(od::object root, gemini_piece& piece) {
  return for_each_field(root, [&](std::string_view key, od::value& v) {
    if (key == "usageMetadata")
      return piece.usage.read(v, gemini_usage);
    if (key == "promptFeedback")
      return read_string_fields(v, {{"blockReason", &piece.block_reason}});
    if (key == "error")
      return read_string_fields(v, {{"status", &piece.error_status},
                                    {"message", &piece.error_message}});
    if (key != "candidates")
      return simdjson::SUCCESS;
    return for_each_element(v, [&](od::value& cand) {
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
  /// Adds one part; each goes out at once as a chunk.
  void add(const part_fields& p, const stream_output& out) {
    if (p.has_call)
      parts_.add_whole(p.call, out.on_chunk, p.signature);
    std::string_view signature;
    if (!p.has_call && (p.thought || !p.signature.empty())) {
      add_reasoning(p);
      signature = p.signature;
    }
    engine::stream_chunk chunk;
    chunk.reasoning_signature = signature;
    if (p.thought) {
      chunk.reasoning = p.text;
    } else if (!p.has_call) {
      out.result.text += p.text;
      chunk.delta = p.text;
    }
    if (!chunk.reasoning.empty() || !signature.empty() || !chunk.delta.empty())
      out.emit(chunk);
  }

  /// Sets the finish reason a piece gives: a STOP that made calls is
  /// tool_calls.
  void finish_with(const gemini_piece& piece, engine::call_result& result) {
    result.finish_reason
      = gemini_format::normalize_finish_reason(piece.finish_reason);
    parts_.adjust_finish_reason(result.finish_reason);
  }

  /// Moves the thoughts and calls into `result.content`, in order.
  void finish(engine::call_result& result) {
    parts_.take_into(result.content);
  }

 private:
  /// A thought (streamed thoughts join the unsigned one before them), or a
  /// signature that came on a text part (kept to be sent back).
  void add_reasoning(const part_fields& p) {
    std::string_view text = p.thought ? p.text : std::string_view{};
    auto* last = parts_.newest_part();
    if (p.thought && last && last->signature.empty()) {
      last->text += text;
      last->signature = p.signature;
      return;
    }
    auto r = make_reasoning(std::string{text}, gemini_format::reasoning_name);
    r.signature = p.signature;
    parts_.add_part(std::move(r));
  }

  /// The calls (each with its thought signature) and thoughts, in order.
  tool_call_decoder parts_;
};

/// The error class of an `error` object's `status`.
engine::call_error classify_status(std::string_view status) {
  using engine::call_error;
  constexpr auto ours = call_error::client_error;
  return lookup_name(status,
                     {{"RESOURCE_EXHAUSTED", call_error::rate_limited},
                      {"INVALID_ARGUMENT", ours},
                      {"FAILED_PRECONDITION", ours},
                      {"PERMISSION_DENIED", ours},
                      {"NOT_FOUND", ours},
                      {"UNAUTHENTICATED", ours}},
                     call_error::server_error);
}

/// One GenerateContentResponse per SSE event, no end marker: the chunk with
/// the finish reason is the last, though one after it (usage) is still read.
class gemini_stream_decoder final : public json_stream_decoder {
  using json_stream_decoder::json_stream_decoder;

  error_code read_event(od::object event, const stream_output& out) override {
    gemini_piece piece;
    if (auto e = read_response(event, piece))
      return e;
    if (!piece.error_status.empty() || !piece.error_message.empty())
      return out.error_event(classify_status(piece.error_status),
                             piece.error_status, piece.error_message);
    auto& result = out.result;
    for (const auto& p : piece.parts)
      answer_.add(p, out);
    bool finished = !piece.block_reason.empty() || !piece.finish_reason.empty();
    if (!piece.block_reason.empty())
      result.finish_reason = "content_filter";
    else if (!piece.finish_reason.empty())
      answer_.finish_with(piece, result);
    if (finished)
      end();
    // Each chunk reports the totals so far.
    piece.usage.apply(result);
    out.emit_finish(finished ? std::string_view{result.finish_reason} : "",
                    piece.usage.any());
    return simdjson::SUCCESS;
  }

  void complete(engine::call_result& result) override {
    answer_.finish(result);
  }

  gemini_answer answer_;
};

} // namespace

std::unique_ptr<stream_decoder> gemini_format::make_stream_decoder() const {
  return std::make_unique<gemini_stream_decoder>(
    stream_framing::sse, std::string_view{},
    json_stream_decoder::after_end::read);
}

bool gemini_format::parse_response(std::string& body,
                                   engine::call_result& result) const {
  gemini_piece piece;
  if (!read_body(body, "unexpected GenerateContent response", result,
                 [&](od::object root) {
                   return read_response(root, piece);
                 }))
    return false;
  piece.usage.apply(result);
  if (!piece.block_reason.empty()) {
    result.finish_reason = "content_filter";
    return true;
  }
  if (!piece.has_candidates)
    return fail_malformed(result,
                          malformed("no candidates", simdjson::SUCCESS));
  gemini_answer answer;
  chunk_callback none;
  for (const auto& p : piece.parts)
    answer.add(p, {result, none});
  answer.finish_with(piece, result);
  answer.finish(result);
  return true;
}

} // namespace switchyard::providers
