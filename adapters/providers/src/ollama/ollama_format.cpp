#include "switchyard/providers/ollama/ollama_format.hpp"

#include "json_support.hpp"
#include "switchyard/http/ndjson_parser.hpp"

namespace switchyard::providers {

using namespace detail;

void ollama_format::build_request(const engine::call_request& req, bool stream,
                                  std::string_view base_path,
                                  http::client_request& out) const {
  // Ollama streams NDJSON and takes no Accept.
  begin_json_post(out, std::string{base_path} + "/api/chat", stream, true);
  engine::json_writer w{out.body};
  w.begin_object();
  w.field("model", req.upstream_model);
  w.key("messages");
  write_role_content_messages(w, req.messages);
  w.field("stream", stream);
  w.key("options").begin_object();
  if (req.temperature)
    w.field("temperature", *req.temperature);
  if (req.top_p)
    w.field("top_p", *req.top_p);
  w.field("num_predict", req.max_tokens);
  if (!req.stop.empty()) {
    w.key("stop").begin_array();
    for (const auto& s : req.stop)
      w.value(s);
    w.end_array();
  }
  w.end_object();
  if (!req.tools_json.empty())
    w.key("tools").raw(req.tools_json);
  w.end_object();
}

void ollama_format::authorize(std::string_view key,
                              http::header_list& headers) const {
  headers.push_back({"Authorization", "Bearer " + std::string{key}});
}

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
  std::vector<tool_call> tools;
  bool done = false;
  bool has_message = false;
  std::string done_reason;
  std::string error;
  bool has_error = false;
};

error_code read_tool_calls(od::value& v, std::vector<tool_call>& tools) {
  od::array arr;
  if (auto e = v.get_array().get(arr))
    return e;
  return for_each_element(arr, [&](od::value& item) -> error_code {
    od::object obj;
    if (auto e = item.get_object().get(obj))
      return e;
    tool_call tc;
    auto e = for_each_field(
      obj, [&](std::string_view key, od::value& f) -> error_code {
        if (key != "function")
          return simdjson::SUCCESS;
        od::object fn;
        if (auto fe = f.get_object().get(fn))
          return fe;
        return for_each_field(
          fn, [&](std::string_view fk, od::value& fv) -> error_code {
            std::string_view s;
            if (fk == "name") {
              if (auto se = read_string(fv, s))
                return se;
              tc.name = s;
            } else if (fk == "arguments") {
              // An object here, not OpenAI's JSON-in-a-string.
              if (auto se = read_raw(fv, s))
                return se;
              tc.arguments = s;
            }
            return simdjson::SUCCESS;
          });
      });
    if (e)
      return e;
    tools.push_back(std::move(tc));
    return simdjson::SUCCESS;
  });
}

error_code read_piece(od::object root, ollama_piece& piece,
                      engine::call_result& result) {
  return for_each_field(
    root, [&](std::string_view key, od::value& v) -> error_code {
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
      od::object msg;
      if (auto me = v.get_object().get(msg))
        return me;
      return for_each_field(
        msg, [&](std::string_view mk, od::value& mv) -> error_code {
          if (mk == "content") {
            std::string_view text;
            if (auto te = read_string(mv, text))
              return te;
            piece.text += text;
            return simdjson::SUCCESS;
          }
          if (mk == "tool_calls" && !is_null(mv))
            return read_tool_calls(mv, piece.tools);
          return simdjson::SUCCESS;
        });
    });
}

void number_tools(std::vector<tool_call>& tools, std::size_t first) {
  for (std::size_t i = first; i < tools.size(); ++i)
    tools[i].id = "call_" + std::to_string(i);
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
    result.tool_calls_json = tool_calls_json(tools_);
    return done_;
  }

 private:
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
    auto first = tools_.size();
    for (auto& t : piece.tools)
      tools_.push_back(std::move(t));
    number_tools(tools_, first);
    std::string_view finish;
    if (piece.done) {
      done_ = true;
      result.finish_reason
        = tools_.empty()
            ? ollama_format::normalize_done_reason(piece.done_reason)
            : "tool_calls";
      finish = result.finish_reason;
    }
    if (piece.text.empty() && finish.empty())
      return true;
    result.text += piece.text;
    engine::stream_chunk chunk;
    chunk.delta = piece.text;
    chunk.finish_reason = finish;
    if (piece.done) {
      chunk.input_tokens = result.input_tokens;
      chunk.output_tokens = result.output_tokens;
    }
    if (on_chunk)
      on_chunk(chunk);
    return true;
  }

  http::ndjson_parser lines_;
  od::parser parser_;
  padded_copy copy_;
  std::vector<tool_call> tools_;
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
  number_tools(piece.tools, 0);
  result.text = std::move(piece.text);
  result.tool_calls_json = tool_calls_json(piece.tools);
  result.finish_reason = piece.tools.empty()
                           ? normalize_done_reason(piece.done_reason)
                           : "tool_calls";
  return true;
}

std::unique_ptr<stream_decoder> ollama_format::make_stream_decoder() const {
  return std::make_unique<ollama_stream_decoder>();
}

} // namespace switchyard::providers
