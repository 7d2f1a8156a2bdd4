#include "switchyard/providers/gemini/gemini_format.hpp"

#include "json_support.hpp"
#include "switchyard/http/sse_parser.hpp"
#include "switchyard/http/url.hpp"

namespace switchyard::providers {

using namespace detail;

void gemini_format::build_request(const engine::call_request& req, bool stream,
                                  std::string_view base_path,
                                  http::client_request& out) const {
  begin_json_post(out,
                  std::string{base_path} + "/models/"
                    + http::escape_path_segment(req.upstream_model)
                    + (stream ? ":streamGenerateContent?alt=sse"
                              : ":generateContent"),
                  stream);
  engine::json_writer w{out.body};
  w.begin_object();
  w.key("contents").begin_array();
  for (const auto& m : req.messages) {
    if (m.role == "system")
      continue;
    w.begin_object();
    w.field("role", m.role == "assistant" ? "model" : "user");
    w.key("parts").begin_array().begin_object();
    w.field("text", m.content);
    w.end_object().end_array();
    w.end_object();
  }
  w.end_array();
  auto system = join_role(req.messages, "system");
  if (!system.empty()) {
    w.key("systemInstruction").begin_object();
    w.key("parts").begin_array().begin_object();
    w.field("text", system);
    w.end_object().end_array();
    w.end_object();
  }
  w.key("generationConfig").begin_object();
  if (req.temperature)
    w.field("temperature", *req.temperature);
  if (req.top_p)
    w.field("topP", *req.top_p);
  w.field("maxOutputTokens", req.max_tokens);
  if (!req.stop.empty()) {
    w.key("stopSequences").begin_array();
    for (const auto& s : req.stop)
      w.value(s);
    w.end_array();
  }
  w.end_object();
  std::vector<tool_spec> tools;
  if (!req.tools_json.empty() && parse_openai_tools(req.tools_json, tools)
      && !tools.empty()) {
    w.key("tools").begin_array().begin_object();
    w.key("functionDeclarations").begin_array();
    for (const auto& t : tools) {
      w.begin_object();
      w.field("name", t.name);
      if (!t.description.empty())
        w.field("description", t.description);
      w.key("parameters").raw(t.parameters);
      w.end_object();
    }
    w.end_array();
    w.end_object().end_array();
  }
  w.end_object();
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

/// What one GenerateContentResponse holds (the first candidate only).
struct gemini_piece {
  std::string text;
  std::string finish_reason;
  std::vector<tool_call> tools;
  bool has_usage = false;
  bool has_candidates = false;
  std::string block_reason;
};

error_code read_usage(od::value& v, engine::call_result& result) {
  od::object usage;
  if (auto e = v.get_object().get(usage))
    return e;
  return for_each_field(usage,
                        [&](std::string_view key, od::value& n) -> error_code {
                          if (key == "promptTokenCount")
                            return read_u32(n, result.input_tokens);
                          if (key == "candidatesTokenCount")
                            return read_u32(n, result.output_tokens);
                          return simdjson::SUCCESS;
                        });
}

error_code read_parts(od::value& v, gemini_piece& piece) {
  od::array parts;
  if (auto e = v.get_array().get(parts))
    return e;
  return for_each_element(parts, [&](od::value& part) -> error_code {
    od::object obj;
    if (auto e = part.get_object().get(obj))
      return e;
    return for_each_field(
      obj, [&](std::string_view key, od::value& f) -> error_code {
        if (key == "text") {
          std::string_view s;
          if (auto se = read_string(f, s))
            return se;
          piece.text += s;
          return simdjson::SUCCESS;
        }
        if (key != "functionCall")
          return simdjson::SUCCESS;
        od::object call;
        if (auto ce = f.get_object().get(call))
          return ce;
        tool_call tc;
        auto ce = for_each_field(
          call, [&](std::string_view ck, od::value& cv) -> error_code {
            std::string_view s;
            if (ck == "name") {
              if (auto se = read_string(cv, s))
                return se;
              tc.name = s;
            } else if (ck == "args") {
              if (auto se = read_raw(cv, s))
                return se;
              tc.arguments = s;
            }
            return simdjson::SUCCESS;
          });
        if (ce)
          return ce;
        tc.id = "call_" + std::to_string(piece.tools.size());
        piece.tools.push_back(std::move(tc));
        return simdjson::SUCCESS;
      });
  });
}

error_code read_response(od::object root, gemini_piece& piece,
                         engine::call_result& result) {
  return for_each_field(
    root, [&](std::string_view key, od::value& v) -> error_code {
      if (key == "usageMetadata") {
        piece.has_usage = true;
        return read_usage(v, result);
      }
      if (key == "promptFeedback") {
        od::object fb;
        if (auto e = v.get_object().get(fb))
          return e;
        return for_each_field(
          fb, [&](std::string_view fk, od::value& fv) -> error_code {
            if (fk != "blockReason")
              return simdjson::SUCCESS;
            std::string_view s;
            if (auto se = read_string(fv, s))
              return se;
            piece.block_reason = s;
            return simdjson::SUCCESS;
          });
      }
      if (key != "candidates")
        return simdjson::SUCCESS;
      od::array candidates;
      if (auto e = v.get_array().get(candidates))
        return e;
      return for_each_element(candidates, [&](od::value& cand) -> error_code {
        if (piece.has_candidates)
          return simdjson::SUCCESS;
        piece.has_candidates = true;
        od::object c;
        if (auto e = cand.get_object().get(c))
          return e;
        return for_each_field(
          c, [&](std::string_view ck, od::value& cv) -> error_code {
            if (ck == "finishReason") {
              std::string_view s;
              if (auto se = read_string(cv, s))
                return se;
              piece.finish_reason = s;
              return simdjson::SUCCESS;
            }
            if (ck != "content")
              return simdjson::SUCCESS;
            od::object content;
            if (auto e = cv.get_object().get(content))
              return e;
            return for_each_field(
              content, [&](std::string_view tk, od::value& tv) -> error_code {
                return tk == "parts" ? read_parts(tv, piece)
                                     : simdjson::SUCCESS;
              });
          });
      });
    });
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
    result.tool_calls_json = tool_calls_json(tools_);
    if (!tools_.empty() && result.finish_reason == "stop")
      result.finish_reason = "tool_calls";
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
      e = read_response(root, piece, result);
    if (e)
      return fail_malformed(result, malformed("unexpected stream event", e));
    if (!piece.block_reason.empty()) {
      finished_ = true;
      result.finish_reason = "content_filter";
    }
    for (auto& t : piece.tools) {
      t.id = "call_" + std::to_string(tools_.size());
      tools_.push_back(std::move(t));
    }
    std::string_view finish;
    if (!piece.finish_reason.empty()) {
      finished_ = true;
      result.finish_reason
        = gemini_format::normalize_finish_reason(piece.finish_reason);
      finish = result.finish_reason;
    }
    if (piece.text.empty() && finish.empty() && !piece.has_usage)
      return true;
    result.text += piece.text;
    engine::stream_chunk chunk;
    chunk.delta = piece.text;
    chunk.finish_reason = finish;
    if (piece.has_usage) {
      chunk.input_tokens = result.input_tokens;
      chunk.output_tokens = result.output_tokens;
    }
    if (on_chunk)
      on_chunk(chunk);
    return true;
  }

  http::sse_parser sse_;
  od::parser parser_;
  padded_copy copy_;
  std::vector<tool_call> tools_;
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
    e = read_response(root, piece, result);
  if (e)
    return fail_malformed(result, malformed("unexpected GenerateContent "
                                            "response",
                                            e));
  if (!piece.block_reason.empty()) {
    result.finish_reason = "content_filter";
    return true;
  }
  if (!piece.has_candidates)
    return fail_malformed(result,
                          malformed("no candidates", simdjson::SUCCESS));
  result.text = std::move(piece.text);
  result.finish_reason = normalize_finish_reason(piece.finish_reason);
  result.tool_calls_json = tool_calls_json(piece.tools);
  if (!piece.tools.empty() && result.finish_reason == "stop")
    result.finish_reason = "tool_calls";
  return true;
}

std::unique_ptr<stream_decoder> gemini_format::make_stream_decoder() const {
  return std::make_unique<gemini_stream_decoder>();
}

} // namespace switchyard::providers
