#include "switchyard/providers/ollama/ollama_format.hpp"

#include "json_support.hpp"
#include "model_listing_support.hpp"
#include "switchyard/http/ndjson_parser.hpp"

namespace switchyard::providers {

using namespace detail;

std::string_view
ollama_format::normalize_done_reason(std::string_view reason) noexcept {
  if (reason == "length")
    return "length";
  return "stop";
}

namespace {

/// One /api/chat object, streamed or not.
struct ollama_piece {
  std::string text;
  std::string thinking;
  /// Whole calls; ids are given when the answer is numbered.
  std::vector<engine::content_part> calls;
  bool done = false;
  bool has_message = false;
  std::string done_reason;
  std::string error;
  bool has_error = false;
};

/// `tool_calls: [{"function": {"name", "arguments": {...}}}]`, each call
/// whole. Newer servers add an `id`; it is kept when present.
error_code read_tool_calls(od::value& v,
                           std::vector<engine::content_part>& calls) {
  od::array arr;
  if (auto e = v.get_array().get(arr))
    return e;
  return for_each_element(arr, [&](od::value& item) -> error_code {
    od::object obj;
    if (auto e = item.get_object().get(obj))
      return e;
    auto call = engine::content_part::make_tool_call({}, {}, {});
    auto e = for_each_field(
      obj, [&](std::string_view key, od::value& f) -> error_code {
        std::string_view s;
        if (key == "id") {
          if (auto se = read_string(f, s))
            return se;
          call.id = s;
          return simdjson::SUCCESS;
        }
        if (key != "function")
          return simdjson::SUCCESS;
        od::object fn;
        if (auto fe = f.get_object().get(fn))
          return fe;
        return for_each_field(
          fn, [&](std::string_view fk, od::value& fv) -> error_code {
            if (fk == "name") {
              if (auto se = read_string(fv, s))
                return se;
              call.name = s;
            } else if (fk == "arguments" && !is_null(fv)) {
              // An object here, not OpenAI's JSON-in-a-string.
              if (auto se = read_raw(fv, s))
                return se;
              call.arguments = s;
            }
            return simdjson::SUCCESS;
          });
      });
    if (e)
      return e;
    if (call.arguments.empty())
      call.arguments = "{}";
    calls.push_back(std::move(call));
    return simdjson::SUCCESS;
  });
}

error_code read_message(od::value& v, ollama_piece& piece) {
  od::object msg;
  if (auto e = v.get_object().get(msg))
    return e;
  return for_each_field(
    msg, [&](std::string_view key, od::value& f) -> error_code {
      std::string_view s;
      if (key == "content" || key == "thinking") {
        if (auto e = read_string(f, s))
          return e;
        (key == "content" ? piece.text : piece.thinking) += s;
        return simdjson::SUCCESS;
      }
      if (key == "tool_calls" && !is_null(f))
        return read_tool_calls(f, piece.calls);
      return simdjson::SUCCESS;
    });
}

error_code read_piece(od::object root, ollama_piece& piece,
                      engine::call_result& result) {
  return for_each_field(root,
                        [&](std::string_view key, od::value& v) -> error_code {
                          std::string_view s;
                          if (key == "error") {
                            piece.has_error = true;
                            if (auto se = read_string(v, s))
                              return se;
                            piece.error = s;
                            return simdjson::SUCCESS;
                          }
                          if (key == "done")
                            return v.get_bool().get(piece.done);
                          if (key == "done_reason") {
                            if (auto se = read_string(v, s))
                              return se;
                            piece.done_reason = s;
                            return simdjson::SUCCESS;
                          }
                          if (key == "prompt_eval_count")
                            return read_u32(v, result.input_tokens);
                          if (key == "eval_count")
                            return read_u32(v, result.output_tokens);
                          if (key != "message")
                            return simdjson::SUCCESS;
                          piece.has_message = true;
                          return read_message(v, piece);
                        });
}

/// Ollama sends no call ids: `call_<position>` within the answer, stable
/// and unique there.
std::string synthesized_id(std::size_t position) {
  return "call_" + std::to_string(position);
}

class ollama_stream_decoder final : public stream_decoder {
 public:
  bool feed(std::string_view bytes, const chunk_callback& on_chunk,
            engine::call_result& result) override {
    lines_.feed(bytes);
    std::string_view line;
    while (lines_.next(line))
      if (!done_ && !on_line(line, on_chunk, result))
        return false;
    if (lines_.overflowed())
      return fail_malformed(result, "malformed stream: a line exceeds the "
                                    "size limit");
    return true;
  }

  bool finish(engine::call_result& result) override {
    // A last line without its newline still counts if it is whole JSON.
    std::string_view line;
    if (!done_ && lines_.take_rest(line)) {
      engine::call_result scratch = result;
      if (on_line(line, {}, scratch))
        result = std::move(scratch);
    }
    if (!thinking_.empty())
      result.content.push_back(make_reasoning(std::move(thinking_), "ollama"));
    for (auto& call : calls_.take())
      result.content.push_back(std::move(call));
    return done_;
  }

 private:
  /// One line: thinking, text and each whole tool call are passed on at
  /// once; the last line adds the finish reason and usage.
  bool on_line(std::string_view line, const chunk_callback& on_chunk,
               engine::call_result& result) {
    od::document doc;
    od::object root;
    auto e = parser_.iterate(copy_.load(line)).get(doc);
    if (!e)
      e = doc.get_object().get(root);
    ollama_piece piece;
    if (!e)
      e = read_piece(root, piece, result);
    if (e)
      return fail_malformed(result, malformed("unexpected stream line", e));
    if (piece.has_error) {
      result.error = engine::call_error::server_error;
      result.finish_reason = "error";
      result.error_message = "error in stream: " + piece.error;
      return false;
    }
    if (!piece.thinking.empty()) {
      thinking_ += piece.thinking;
      engine::stream_chunk chunk;
      chunk.reasoning = piece.thinking;
      if (on_chunk)
        on_chunk(chunk);
    }
    if (!piece.text.empty()) {
      result.text += piece.text;
      engine::stream_chunk chunk;
      chunk.delta = piece.text;
      if (on_chunk)
        on_chunk(chunk);
    }
    for (auto& call : piece.calls) {
      if (call.id.empty())
        call.id = synthesized_id(calls_.calls().size());
      auto at = calls_.add_whole(call.id, call.name, call.arguments);
      emit_tool_fragment(calls_, at, calls_.calls()[at.position].arguments,
                         on_chunk);
    }
    if (!piece.done)
      return true;
    done_ = true;
    result.finish_reason
      = calls_.empty() ? ollama_format::normalize_done_reason(piece.done_reason)
                       : "tool_calls";
    engine::stream_chunk chunk;
    chunk.finish_reason = result.finish_reason;
    chunk.input_tokens = result.input_tokens;
    chunk.output_tokens = result.output_tokens;
    if (on_chunk)
      on_chunk(chunk);
    return true;
  }

  http::ndjson_parser lines_;
  od::parser parser_;
  padded_copy copy_;
  engine::tool_call_assembler calls_;
  std::string thinking_;
  bool done_ = false;
};

} // namespace

bool ollama_format::parse_response(std::string& body,
                                   engine::call_result& result) const {
  thread_local od::parser parser;
  od::document doc;
  od::object root;
  auto e = parser.iterate(pad_in_place(body)).get(doc);
  if (!e)
    e = doc.get_object().get(root);
  ollama_piece piece;
  if (!e)
    e = read_piece(root, piece, result);
  if (e)
    return fail_malformed(result, malformed("unexpected chat response", e));
  if (piece.has_error) {
    result.error = engine::call_error::server_error;
    result.finish_reason = "error";
    result.error_message = "error in a 200 response: " + piece.error;
    return false;
  }
  if (!piece.has_message || !piece.done)
    return fail_malformed(result, malformed("no message with \"done\": true",
                                            simdjson::SUCCESS));
  result.text = std::move(piece.text);
  result.finish_reason = piece.calls.empty()
                           ? normalize_done_reason(piece.done_reason)
                           : "tool_calls";
  if (!piece.thinking.empty())
    result.content.push_back(
      make_reasoning(std::move(piece.thinking), "ollama"));
  for (std::size_t i = 0; i < piece.calls.size(); ++i) {
    if (piece.calls[i].id.empty())
      piece.calls[i].id = synthesized_id(i);
    result.content.push_back(std::move(piece.calls[i]));
  }
  return true;
}

std::unique_ptr<stream_decoder> ollama_format::make_stream_decoder() const {
  return std::make_unique<ollama_stream_decoder>();
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
