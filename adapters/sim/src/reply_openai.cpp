// OpenAI chat completions: a `chat.completion`, or `chat.completion.chunk`
// events ending in `[DONE]`. Tool calls go in `message.tool_calls` with
// finish_reason "tool_calls"; streamed, the first chunk of a call carries
// its index, id, type and name, the next ones pieces of its arguments.
#include "format_replies.hpp"
#include "switchyard/engine/json_writer.hpp"

namespace switchyard::sim::detail {

namespace {

using engine::json_writer;

void chunk_prefix(json_writer& w, const reply& r) {
  w.field("id", id_of(r, "chatcmpl-sim-"));
  w.field("object", "chat.completion.chunk");
  w.field("created", created_base + static_cast<std::int64_t>(r.n));
  w.field("model", r.model);
  w.field("system_fingerprint", "fp_sim");
}

/// One chunk; `delta` writes the delta object's fields.
template<class Delta>
std::string chunk(const reply& r, Delta&& delta, std::string_view finish) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  chunk_prefix(w, r);
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("delta").begin_object();
  delta(w);
  w.end_object();
  w.key("logprobs").null();
  w.key("finish_reason");
  if (finish.empty())
    w.null();
  else
    w.value(finish);
  w.end_object().end_array();
  w.end_object();
  return sse({}, out);
}

std::string finish_reason(const reply& r) {
  if (!r.calls.empty())
    return "tool_calls";
  return r.hit_limit ? "length" : "stop";
}

void usage(json_writer& w, const reply& r) {
  w.key("usage").begin_object();
  w.field("prompt_tokens", r.input_tokens);
  w.field("completion_tokens", output_tokens(r));
  w.field("total_tokens", r.input_tokens + output_tokens(r));
  w.end_object();
}

/// The first fragment of call `i`: index, id, type, name, no arguments.
void call_start(json_writer& w, const reply& r, std::size_t i) {
  const auto& c = r.calls[i];
  w.key("tool_calls").begin_array().begin_object();
  w.field("index", static_cast<std::uint64_t>(i));
  w.field("id", c.id);
  w.field("type", "function");
  w.key("function").begin_object();
  w.field("name", c.name);
  w.field("arguments", "");
  w.end_object();
  w.end_object().end_array();
}

} // namespace

std::string openai_body(const reply& r) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  w.field("id", id_of(r, "chatcmpl-sim-"));
  w.field("object", "chat.completion");
  w.field("created", created_base + static_cast<std::int64_t>(r.n));
  w.field("model", r.model);
  w.key("choices").begin_array().begin_object();
  w.field("index", 0);
  w.key("message").begin_object();
  w.field("role", "assistant");
  if (r.calls.empty()) {
    w.field("content", text_of(r));
  } else {
    w.key("content").null();
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
  w.key("refusal").null();
  w.end_object();
  w.key("logprobs").null();
  w.field("finish_reason", finish_reason(r));
  w.end_object().end_array();
  usage(w, r);
  w.field("system_fingerprint", "fp_sim");
  w.end_object();
  return out;
}

stream_script openai_stream(const reply& r) {
  stream_script s;
  s.head.push_back(chunk(r,
                         [&r](json_writer& w) {
                           w.field("role", "assistant");
                           if (r.calls.empty()) {
                             w.field("content", "");
                             return;
                           }
                           w.key("content").null();
                           call_start(w, r, 0);
                           w.key("refusal").null();
                         },
                         {}));
  for (const auto& word : r.words)
    s.tokens.push_back(chunk(r,
                             [&word](json_writer& w) {
                               w.field("content", word);
                             },
                             {}));
  for (std::size_t i = 0; i < r.calls.size(); ++i) {
    if (i > 0)
      s.tokens.push_back(chunk(r,
                               [&r, i](json_writer& w) {
                                 call_start(w, r, i);
                               },
                               {}));
    for (const auto& piece : r.calls[i].pieces)
      s.tokens.push_back(
        chunk(r,
              [i, &piece](json_writer& w) {
                w.key("tool_calls").begin_array().begin_object();
                w.field("index", static_cast<std::uint64_t>(i));
                w.key("function").begin_object();
                w.field("arguments", piece);
                w.end_object();
                w.end_object().end_array();
              },
              {}));
  }
  s.tail.push_back(chunk(
    r, [](json_writer&) {}, finish_reason(r)));
  if (r.include_usage) {
    std::string out;
    json_writer w{out};
    w.begin_object();
    chunk_prefix(w, r);
    w.key("choices").begin_array().end_array();
    usage(w, r);
    w.end_object();
    s.tail.push_back(sse({}, out));
  }
  s.tail.push_back(sse({}, "[DONE]"));
  return s;
}

} // namespace switchyard::sim::detail
