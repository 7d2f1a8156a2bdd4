#include "switchyard/providers/ollama/ollama_format.hpp"

#include "json_object_parser.hpp"
#include "json_stream_decoder.hpp"
#include "json_support.hpp"
#include "tool_call_decoder.hpp"
#include "usage_counts.hpp"

namespace switchyard::providers {

using namespace detail;

std::string_view
ollama_format::normalize_done_reason(std::string_view reason) noexcept {
  return reason == "length" ? "length" : "stop";
}

namespace {

const usage_keys ollama_usage{{"prompt_eval_count"}, {"eval_count"}};

/// One /api/chat object, streamed or not. Views into the parsed document.
struct ollama_piece {
  std::string_view text;
  std::string_view thinking;
  /// `tool_calls: [{"function": {"name", "arguments": {...}}}]`, each call
  /// whole, its arguments an object; newer servers add an `id`.
  std::vector<tool_call_decoder::fragment> calls;
  bool done = false;
  bool has_message = false;
  std::string_view done_reason;
  std::string_view error;
  bool has_error = false;
  usage_counts usage;

  /// Any calls make it "tool_calls", whatever `done_reason` says.
  [[nodiscard]] std::string_view
  finish_reason(const tool_call_decoder& placed) const noexcept {
    return placed.has_calls()
             ? "tool_calls"
             : ollama_format::normalize_done_reason(done_reason);
  }
};

error_code read_message(od::value& v, ollama_piece& piece,
                        engine::call_result& result) {
  return for_each_field(
    v, [&](std::string_view key, od::value& f) -> error_code {
      if (key == "content")
        return read_string(f, piece.text);
      if (key == "thinking")
        return read_string(f, piece.thinking);
      if (key != "tool_calls")
        return simdjson::SUCCESS;
      return tool_call_decoder::read_each(f, result, [&](const auto& call) {
        piece.calls.push_back(call);
      });
    });
}

error_code read_piece(od::object root, ollama_piece& piece,
                      engine::call_result& result) {
  auto e = for_each_field(
    root, [&](std::string_view key, od::value& v) -> error_code {
      if (key == "error") {
        piece.has_error = true;
        return read_string(v, piece.error);
      }
      if (key == "done")
        return v.get_bool().get(piece.done);
      if (key == "done_reason")
        return read_string(v, piece.done_reason);
      if (key == "model")
        return read_response_model(v, result);
      if (key != "message")
        return piece.usage.add(key, v, ollama_usage);
      piece.has_message = true;
      return read_message(v, piece, result);
    });
  piece.usage.apply(result);
  return e;
}

/// NDJSON, one /api/chat object a line; the line with `"done": true` is the
/// last. Thinking, text and each whole tool call are passed on at once; the
/// last line adds the finish reason and usage.
class ollama_stream_decoder final : public json_stream_decoder {
  using json_stream_decoder::json_stream_decoder;

  error_code read_event(od::object line, const stream_output& out) override {
    ollama_piece piece;
    if (auto e = read_piece(line, piece, out.result))
      return e;
    if (piece.has_error)
      return out.error_event(engine::call_error::server_error, {}, piece.error);
    thinking_ += piece.thinking;
    out.emit_text({}, piece.thinking);
    out.result.text += piece.text;
    out.emit_text(piece.text, {});
    for (const auto& call : piece.calls)
      calls_.add_whole(call, out.on_chunk);
    if (piece.done) {
      end();
      out.result.finish_reason = piece.finish_reason(calls_);
      out.emit_finish(out.result.finish_reason, true);
    }
    return simdjson::SUCCESS;
  }

  void complete(engine::call_result& result) override {
    if (!thinking_.empty())
      result.content.push_back(make_reasoning(std::move(thinking_), "ollama"));
    calls_.take_into(result.content);
  }

  tool_call_decoder calls_;
  std::string thinking_;
};

} // namespace

std::unique_ptr<stream_decoder> ollama_format::make_stream_decoder() const {
  return std::make_unique<ollama_stream_decoder>(stream_framing::ndjson);
}

bool ollama_format::parse_response(std::string& body,
                                   engine::call_result& result) const {
  ollama_piece piece;
  if (!read_body(body, "unexpected chat response", result,
                 [&](od::object root) {
                   return read_piece(root, piece, result);
                 }))
    return false;
  if (piece.has_error)
    return fail_upstream(result, engine::call_error::server_error,
                         "error in a 200 response: "
                           + std::string{piece.error});
  if (!piece.has_message || !piece.done)
    return fail_malformed(result, malformed("no message with \"done\": true",
                                            simdjson::SUCCESS));
  tool_call_decoder calls;
  for (const auto& call : piece.calls)
    calls.add_whole(call, {});
  result.text = piece.text;
  result.finish_reason = piece.finish_reason(calls);
  if (!piece.thinking.empty())
    result.content.push_back(
      make_reasoning(std::string{piece.thinking}, "ollama"));
  calls.take_into(result.content);
  return true;
}

} // namespace switchyard::providers
