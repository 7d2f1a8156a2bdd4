// Ollama /api/chat: one object, or NDJSON lines ending with `done: true`.
// Tool calls go whole in `message.tool_calls` (arguments an object, no
// ids) in one line; done_reason stays "stop", as Ollama sends it.
#include "format_replies.hpp"
#include "switchyard/engine/json_writer.hpp"

namespace switchyard::sim::detail {

namespace {

using engine::json_writer;

void prefix(json_writer& w, const reply& r) {
  w.field("model", r.model);
  w.field("created_at", "2024-01-01T00:00:00.000000Z");
}

void done(json_writer& w, const reply& r) {
  w.field("done_reason", r.hit_limit && r.calls.empty() ? "length" : "stop");
  w.field("done", true);
  w.field("total_duration", 1'000'000);
  w.field("load_duration", 1'000);
  w.field("prompt_eval_count", r.input_tokens);
  w.field("prompt_eval_duration", 10'000);
  w.field("eval_count", output_tokens(r));
  w.field("eval_duration", 100'000);
}

void message(json_writer& w, const reply& r, std::string_view content,
             bool calls) {
  w.key("message").begin_object();
  w.field("role", "assistant");
  w.field("content", content);
  if (calls) {
    w.key("tool_calls").begin_array();
    for (const auto& c : r.calls) {
      w.begin_object();
      w.key("function").begin_object();
      w.field("name", c.name);
      w.key("arguments").raw(c.arguments);
      w.end_object();
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

std::string line(const reply& r, std::string_view content, bool calls,
                 bool last) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  prefix(w, r);
  message(w, r, content, calls);
  if (last)
    done(w, r);
  else
    w.field("done", false);
  w.end_object();
  out += '\n';
  return out;
}

} // namespace

std::string ollama_body(const reply& r) {
  std::string out;
  json_writer w{out};
  w.begin_object();
  prefix(w, r);
  message(w, r, text_of(r), !r.calls.empty());
  done(w, r);
  w.end_object();
  return out;
}

stream_script ollama_stream(const reply& r) {
  stream_script s;
  for (const auto& word : r.words)
    s.tokens.push_back(line(r, word, false, false));
  if (!r.calls.empty())
    s.tokens.push_back(line(r, "", true, false));
  s.tail.push_back(line(r, "", false, true));
  return s;
}

} // namespace switchyard::sim::detail
