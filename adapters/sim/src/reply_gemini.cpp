// Gemini generateContent: a GenerateContentResponse, or one per SSE event
// (CRLF-separated, as Google sends them), the last with finishReason. A
// tool call is a `functionCall` part sent whole, with no id; finishReason
// stays "STOP", as the real API sends it.
#include "format_replies.hpp"
#include "switchyard/engine/json_writer.hpp"

namespace switchyard::sim::detail {

namespace {

using engine::json_writer;

std::string_view finish_reason(const reply& r) {
  return r.hit_limit && r.calls.empty() ? "MAX_TOKENS" : "STOP";
}

/// A response whose one candidate holds `text` (when `calls` is false) or
/// the reply's function calls.
std::string response(const reply& r, std::string_view text, bool calls,
                     std::string_view finish, std::uint32_t out_tokens) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.key("candidates").begin_array().begin_object();
  w.key("content").begin_object();
  w.key("parts").begin_array();
  if (calls) {
    for (const auto& c : r.calls) {
      w.begin_object();
      w.key("functionCall").begin_object();
      w.field("name", c.name);
      w.key("args").raw(c.arguments);
      w.end_object();
      w.end_object();
    }
  } else {
    w.begin_object();
    w.field("text", text);
    w.end_object();
  }
  w.end_array();
  w.field("role", "model");
  w.end_object();
  if (!finish.empty())
    w.field("finishReason", finish);
  w.field("index", 0);
  w.end_object().end_array();
  w.key("usageMetadata").begin_object();
  w.field("promptTokenCount", r.input_tokens);
  w.field("candidatesTokenCount", out_tokens);
  w.field("totalTokenCount", r.input_tokens + out_tokens);
  w.end_object();
  w.field("modelVersion", r.model);
  w.end_object();
  return out;
}

std::string event(std::string_view data) {
  // Google's streams separate events with CRLF pairs.
  std::string out = "data: ";
  out += data;
  out += "\r\n\r\n";
  return out;
}

} // namespace

std::string gemini_body(const reply& r) {
  return response(r, text_of(r), !r.calls.empty(), finish_reason(r),
                  output_tokens(r));
}

stream_script gemini_stream(const reply& r) {
  stream_script s;
  if (!r.calls.empty()) {
    s.tokens.push_back(
      event(response(r, {}, true, finish_reason(r), output_tokens(r))));
    return s;
  }
  std::uint32_t sent = 0;
  for (std::size_t i = 0; i < r.words.size(); ++i) {
    ++sent;
    bool last = i + 1 == r.words.size();
    s.tokens.push_back(event(
      response(r, r.words[i], false, last ? finish_reason(r) : "", sent)));
  }
  return s;
}

} // namespace switchyard::sim::detail
