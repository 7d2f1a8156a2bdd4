// Anthropic messages: a `message`, or message_start, content blocks and
// message_delta/message_stop events. A tool call is a `tool_use` block
// (stop_reason "tool_use"); streamed, content_block_start carries its id
// and name with an empty input, then input_json_delta pieces follow.
#include "format_replies.hpp"
#include "switchyard/engine/json_writer.hpp"

namespace switchyard::sim::detail {

namespace {

using engine::json_writer;

std::string_view stop_reason(const reply& r) {
  if (!r.calls.empty())
    return "tool_use";
  return r.hit_limit ? "max_tokens" : "end_turn";
}

std::string block_delta(std::size_t index, std::string_view type,
                        std::string_view key, std::string_view text) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("type", "content_block_delta");
  w.field("index", static_cast<std::uint64_t>(index));
  w.key("delta").begin_object();
  w.field("type", type);
  w.field(key, text);
  w.end_object();
  w.end_object();
  return sse("content_block_delta", out);
}

std::string block_stop(std::size_t index) {
  return sse("content_block_stop", R"({"type":"content_block_stop","index":)"
                                     + std::to_string(index) + "}");
}

std::string tool_use_start(const call_reply& c, std::size_t index) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("type", "content_block_start");
  w.field("index", static_cast<std::uint64_t>(index));
  w.key("content_block").begin_object();
  w.field("type", "tool_use");
  w.field("id", c.id);
  w.field("name", c.name);
  w.key("input").begin_object().end_object();
  w.end_object();
  w.end_object();
  return sse("content_block_start", out);
}

} // namespace

std::string anthropic_body(const reply& r) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("id", id_of(r, "msg_sim_"));
  w.field("type", "message");
  w.field("role", "assistant");
  w.field("model", r.model);
  w.key("content").begin_array();
  if (r.calls.empty()) {
    w.begin_object();
    w.field("type", "text");
    w.field("text", text_of(r));
    w.end_object();
  }
  for (const auto& c : r.calls) {
    w.begin_object();
    w.field("type", "tool_use");
    w.field("id", c.id);
    w.field("name", c.name);
    w.key("input").raw(c.arguments);
    w.end_object();
  }
  w.end_array();
  w.field("stop_reason", stop_reason(r));
  w.key("stop_sequence").null();
  w.key("usage").begin_object();
  w.field("input_tokens", r.input_tokens);
  w.field("output_tokens", output_tokens(r));
  w.end_object();
  w.end_object();
  return out;
}

stream_script anthropic_stream(const reply& r) {
  stream_script s;
  {
    std::string out;
    json_writer w{out};
    w.begin_object();
    w.field("type", "message_start");
    w.key("message").begin_object();
    w.field("id", id_of(r, "msg_sim_"));
    w.field("type", "message");
    w.field("role", "assistant");
    w.key("content").begin_array().end_array();
    w.field("model", r.model);
    w.key("stop_reason").null();
    w.key("stop_sequence").null();
    w.key("usage").begin_object();
    w.field("input_tokens", r.input_tokens);
    w.field("output_tokens", 1);
    w.end_object();
    w.end_object();
    w.end_object();
    s.head.push_back(sse("message_start", out));
  }
  if (r.calls.empty()) {
    s.head.push_back(sse("content_block_start",
                         R"({"type":"content_block_start","index":0,)"
                         R"("content_block":{"type":"text","text":""}})"));
    s.head.push_back(sse("ping", R"({"type": "ping"})"));
    for (const auto& word : r.words)
      s.tokens.push_back(block_delta(0, "text_delta", "text", word));
    s.tail.push_back(block_stop(0));
  }
  for (std::size_t i = 0; i < r.calls.size(); ++i) {
    auto& start = i == 0 ? s.head : s.tokens;
    start.push_back(tool_use_start(r.calls[i], i));
    if (i == 0)
      s.head.push_back(sse("ping", R"({"type": "ping"})"));
    // The API opens every tool_use input with an empty piece.
    start.push_back(block_delta(i, "input_json_delta", "partial_json", ""));
    for (const auto& piece : r.calls[i].pieces)
      s.tokens.push_back(
        block_delta(i, "input_json_delta", "partial_json", piece));
    (i + 1 == r.calls.size() ? s.tail : s.tokens).push_back(block_stop(i));
  }
  {
    std::string out;
    json_writer w{out};
    w.begin_object();
    w.field("type", "message_delta");
    w.key("delta").begin_object();
    w.field("stop_reason", stop_reason(r));
    w.key("stop_sequence").null();
    w.end_object();
    w.key("usage").begin_object();
    w.field("output_tokens", output_tokens(r));
    w.end_object();
    w.end_object();
    s.tail.push_back(sse("message_delta", out));
  }
  s.tail.push_back(sse("message_stop", R"({"type":"message_stop"})"));
  return s;
}

} // namespace switchyard::sim::detail
