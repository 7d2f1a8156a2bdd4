// Cohere chat v2: a response with `message`, or message-start, content-*
// and message-end events. Tool calls come after a `tool_plan` (streamed as
// tool-plan-delta events), each as tool-call-start (id, name, empty
// arguments), tool-call-delta pieces and tool-call-end; finish_reason
// "TOOL_CALL".
#include "format_replies.hpp"
#include "switchyard/engine/json_writer.hpp"

namespace switchyard::sim::detail {

namespace {

using engine::json_writer;

std::string_view finish_reason(const reply& r) {
  if (!r.calls.empty())
    return "TOOL_CALL";
  return r.hit_limit ? "MAX_TOKENS" : "COMPLETE";
}

void usage(json_writer& w, const reply& r) {
  w.key("usage").begin_object();
  w.key("billed_units").begin_object();
  w.field("input_tokens", r.input_tokens);
  w.field("output_tokens", output_tokens(r));
  w.end_object();
  w.key("tokens").begin_object();
  // Raw tokens include the chat template; billing does not.
  w.field("input_tokens", r.input_tokens + 64);
  w.field("output_tokens", output_tokens(r));
  w.end_object();
  w.end_object();
}

/// The plan Cohere's models write before calling tools, as tokens.
std::vector<std::string> tool_plan(const reply& r) {
  std::vector<std::string> words{"I ", "will ", "call "};
  for (std::size_t i = 0; i < r.calls.size(); ++i)
    words.push_back(r.calls[i].name + (i + 1 < r.calls.size() ? ", " : " "));
  for (auto w : {"to ", "answer ", "this."})
    words.emplace_back(w);
  return words;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    out += w;
  return out;
}

/// `{type, index, delta: {message: {<inner>}}}` as an SSE event.
template<class Inner>
std::string
message_event(std::string_view type, std::size_t index, Inner&& inner) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("type", type);
  w.field("index", static_cast<std::uint64_t>(index));
  w.key("delta").begin_object().key("message").begin_object();
  inner(w);
  w.end_object().end_object();
  w.end_object();
  return sse(type, out);
}

} // namespace

std::string cohere_body(const reply& r) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("id", id_of(r, "sim-"));
  w.key("message").begin_object();
  w.field("role", "assistant");
  if (r.calls.empty()) {
    w.key("content").begin_array().begin_object();
    w.field("type", "text");
    w.field("text", text_of(r));
    w.end_object().end_array();
  } else {
    w.field("tool_plan", joined(tool_plan(r)));
    w.key("tool_calls").begin_array();
    for (const auto& c : r.calls) {
      w.begin_object();
      w.field("id", c.id);
      w.field("type", "function");
      w.key("function").begin_object();
      w.field("name", c.name);
      w.field("arguments", c.arguments);
      w.end_object();
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  w.field("finish_reason", finish_reason(r));
  usage(w, r);
  w.end_object();
  return out;
}

stream_script cohere_stream(const reply& r) {
  stream_script s;
  {
    std::string out;
    json_writer w{out};
    w.begin_object();
    w.field("id", id_of(r, "sim-"));
    w.field("type", "message-start");
    w.key("delta").begin_object().key("message").begin_object();
    w.field("role", "assistant");
    w.key("content").begin_array().end_array();
    w.field("tool_plan", "");
    w.key("tool_calls").begin_array().end_array();
    w.key("citations").begin_array().end_array();
    w.end_object().end_object();
    w.end_object();
    s.head.push_back(sse("message-start", out));
  }
  if (r.calls.empty()) {
    s.head.push_back(
      sse("content-start",
          R"({"type":"content-start","index":0,"delta":)"
          R"({"message":{"content":{"type":"text","text":""}}}})"));
    for (const auto& word : r.words)
      s.tokens.push_back(message_event("content-delta", 0, [&](json_writer& w) {
        w.key("content").begin_object();
        w.field("text", word);
        w.end_object();
      }));
    s.tail.push_back(sse("content-end", R"({"type":"content-end","index":0})"));
  } else {
    for (const auto& word : tool_plan(r)) {
      std::string out;
      json_writer w{out};
      w.begin_object();
      w.field("type", "tool-plan-delta");
      w.key("delta").begin_object().key("message").begin_object();
      w.field("tool_plan", word);
      w.end_object().end_object();
      w.end_object();
      s.tokens.push_back(sse("tool-plan-delta", out));
    }
  }
  for (std::size_t i = 0; i < r.calls.size(); ++i) {
    const auto& c = r.calls[i];
    s.tokens.push_back(message_event("tool-call-start", i, [&](json_writer& w) {
      w.key("tool_calls").begin_object();
      w.field("id", c.id);
      w.field("type", "function");
      w.key("function").begin_object();
      w.field("name", c.name);
      w.field("arguments", "");
      w.end_object();
      w.end_object();
    }));
    for (const auto& piece : c.pieces)
      s.tokens.push_back(
        message_event("tool-call-delta", i, [&](json_writer& w) {
          w.key("tool_calls").begin_object();
          w.key("function").begin_object();
          w.field("arguments", piece);
          w.end_object();
          w.end_object();
        }));
    s.tokens.push_back(
      sse("tool-call-end",
          R"({"type":"tool-call-end","index":)" + std::to_string(i) + "}"));
  }
  {
    std::string out;
    json_writer w{out};
    w.begin_object();
    w.field("type", "message-end");
    w.key("delta").begin_object();
    w.field("finish_reason", finish_reason(r));
    usage(w, r);
    w.end_object();
    w.end_object();
    s.tail.push_back(sse("message-end", out));
  }
  return s;
}

} // namespace switchyard::sim::detail
