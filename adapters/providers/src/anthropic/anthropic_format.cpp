#include "switchyard/providers/anthropic/anthropic_format.hpp"

#include "json_support.hpp"
#include "switchyard/engine/tool_call_assembler.hpp"
#include "switchyard/http/sse_parser.hpp"

#include <map>

namespace switchyard::providers {

using namespace detail;
using engine::content_part;
using engine::message_role;
using engine::part_kind;

namespace {

// -- the request -------------------------------------------------------------

/// The reasoning parts' `name` that Anthropic wrote (and so may be sent
/// back: thinking signatures are Anthropic's own).
constexpr std::string_view own_reasoning = "anthropic";

std::string cannot_send(std::string_view field) {
  return cannot_express(field, "Anthropic");
}

std::string check_options(const engine::request_options& o) {
  using engine::response_format_kind;
  if (o.seed)
    return cannot_send("seed");
  if (o.format.kind == response_format_kind::json_object)
    return cannot_send("response_format.json_object");
  if (o.format.kind == response_format_kind::json_schema)
    return cannot_send("response_format.json_schema");
  if ((o.logprobs && *o.logprobs) || o.top_logprobs)
    return cannot_send("logprobs");
  if (!o.reasoning_effort.empty())
    return cannot_send("reasoning_effort");
  for (const auto& t : o.tools)
    if (t.strict && *t.strict)
      return cannot_send("tools['" + t.name + "'].strict");
  return {};
}

void write_cache_control(engine::json_writer& w, std::string_view cc) {
  // Ingress keeps it as the JSON text it parsed: valid by construction.
  if (!cc.empty())
    w.key("cache_control").raw(cc);
}

/// Whether `p` becomes a block: empty text is refused by the API, and only
/// Anthropic's own signed thinking goes back (unsigned reasoning is the
/// model's own; another format's stays with that format).
bool writes_block(const content_part& p) {
  if (p.kind == part_kind::text)
    return !p.text.empty();
  if (p.kind == part_kind::reasoning)
    return p.name == own_reasoning && is_signed(p);
  return true;
}

std::string write_block(engine::json_writer& w, const content_part& p);

std::string write_image(engine::json_writer& w, const content_part& p) {
  if (p.url.empty() && p.data.empty())
    return "an image part has neither url nor data";
  if (!p.data.empty() && p.media_type.empty())
    return "an image's media_type is missing (Anthropic needs it with "
           "base64 data)";
  w.begin_object();
  w.field("type", "image");
  w.key("source").begin_object();
  if (!p.data.empty()) {
    w.field("type", "base64");
    w.field("media_type", p.media_type);
    w.field("data", p.data);
  } else {
    w.field("type", "url");
    w.field("url", p.url);
  }
  w.end_object();
  write_cache_control(w, p.cache_control);
  w.end_object();
  return {};
}

std::string write_tool_result(engine::json_writer& w, const content_part& p) {
  w.begin_object();
  w.field("type", "tool_result");
  w.field("tool_use_id", p.id);
  if (!p.content.empty()) {
    w.key("content").begin_array();
    for (const auto& c : p.content) {
      if (c.kind != part_kind::text && c.kind != part_kind::image)
        return cannot_send("a " + std::string{to_string(c.kind)}
                           + " part inside the tool_result for call '" + p.id
                           + "'");
      if (writes_block(c))
        if (auto why = write_block(w, c); !why.empty())
          return why;
    }
    w.end_array();
  }
  if (p.is_error)
    w.field("is_error", true);
  write_cache_control(w, p.cache_control);
  w.end_object();
  return {};
}

std::string write_block(engine::json_writer& w, const content_part& p) {
  switch (p.kind) {
    case part_kind::text:
      w.begin_object();
      w.field("type", "text");
      w.field("text", p.text);
      break;
    case part_kind::image: return write_image(w, p);
    case part_kind::tool_call: {
      auto args = arguments_object(p);
      if (args.empty())
        return bad_arguments(p);
      w.begin_object();
      w.field("type", "tool_use");
      w.field("id", p.id);
      w.field("name", p.name);
      w.key("input").raw(args);
      break;
    }
    case part_kind::tool_result: return write_tool_result(w, p);
    case part_kind::reasoning:
      w.begin_object();
      if (p.redacted) {
        w.field("type", "redacted_thinking");
        w.field("data", p.data);
      } else {
        w.field("type", "thinking");
        w.field("thinking", p.text);
        w.field("signature", p.signature);
      }
      break;
  }
  write_cache_control(w, p.cache_control);
  w.end_object();
  return {};
}

/// `system`: a string, or text blocks when any carries `cache_control`
/// (the option marks the last block, where Anthropic's cache prefix ends).
std::string write_system(engine::json_writer& w,
                         const std::vector<engine::chat_message>& messages,
                         std::string_view system_cache_control) {
  std::vector<const content_part*> texts;
  bool marked = !system_cache_control.empty();
  for (const auto& m : messages) {
    if (!m.is_instruction())
      continue;
    for (const auto& p : m.parts) {
      if (p.kind != part_kind::text)
        return cannot_send("a " + std::string{to_string(p.kind)}
                           + " part in a system message");
      if (p.text.empty())
        continue;
      texts.push_back(&p);
      marked = marked || !p.cache_control.empty();
    }
  }
  if (texts.empty())
    return {};
  if (!marked) {
    w.field("system", join_instructions(messages));
    return {};
  }
  w.key("system").begin_array();
  for (const auto* p : texts) {
    w.begin_object();
    w.field("type", "text");
    w.field("text", p->text);
    write_cache_control(w, p == texts.back() && p->cache_control.empty()
                             ? system_cache_control
                             : std::string_view{p->cache_control});
    w.end_object();
  }
  w.end_array();
  return {};
}

std::string write_messages(engine::json_writer& w,
                           const std::vector<engine::chat_message>& ms) {
  w.key("messages").begin_array();
  for (std::size_t i = 0; i < ms.size();) {
    const auto& m = ms[i];
    std::size_t end = i + 1;
    if (m.role == message_role::tool) {
      // Consecutive tool messages and the user message after them are one
      // user turn, tool_results first, as the API requires.
      while (end < ms.size() && ms[end].role == message_role::tool)
        ++end;
      if (end < ms.size() && ms[end].role == message_role::user)
        ++end;
    }
    bool any = false;
    for (auto j = i; j < end && !m.is_instruction(); ++j)
      for (const auto& p : ms[j].parts)
        any = any || writes_block(p);
    if (any) {
      w.begin_object();
      w.field("role", m.role == message_role::assistant ? "assistant" : "user");
      w.key("content").begin_array();
      for (auto j = i; j < end; ++j)
        for (const auto& p : ms[j].parts)
          if (writes_block(p))
            if (auto why = write_block(w, p); !why.empty())
              return why;
      w.end_array();
      w.end_object();
    }
    i = end;
  }
  w.end_array();
  return {};
}

std::string write_tools(engine::json_writer& w,
                        const engine::request_options& o) {
  using engine::tool_choice_mode;
  if (!o.tools.empty()) {
    w.key("tools").begin_array();
    for (const auto& t : o.tools) {
      std::string_view schema = t.parameters;
      if (schema.empty()) // the API requires one
        schema = R"({"type":"object"})";
      if (!is_json_object(schema))
        return "tools['" + t.name + "'].parameters is not a JSON object";
      w.begin_object();
      w.field("name", t.name);
      if (!t.description.empty())
        w.field("description", t.description);
      w.key("input_schema").raw(schema);
      write_cache_control(w, t.cache_control);
      w.end_object();
    }
    w.end_array();
  }
  bool serial = o.parallel_tool_calls && !*o.parallel_tool_calls;
  if (o.choice.mode == tool_choice_mode::unset && !serial)
    return {};
  w.key("tool_choice").begin_object();
  switch (o.choice.mode) {
    case tool_choice_mode::unset:
    case tool_choice_mode::auto_: w.field("type", "auto"); break;
    case tool_choice_mode::none: w.field("type", "none"); break;
    case tool_choice_mode::required: w.field("type", "any"); break;
    case tool_choice_mode::named:
      if (o.choice.name.empty())
        return "tool_choice names no tool";
      w.field("type", "tool");
      w.field("name", o.choice.name);
      break;
  }
  if (serial && o.choice.mode != tool_choice_mode::none)
    w.field("disable_parallel_tool_use", true);
  w.end_object();
  return {};
}

} // namespace

std::string anthropic_format::build_request(const engine::call_request& req,
                                            bool stream,
                                            std::string_view base_path,
                                            http::client_request& out) const {
  const auto& o = req.options;
  if (auto why = check_options(o); !why.empty())
    return why;
  begin_json_post(out, std::string{base_path} + "/v1/messages", stream);
  out.headers.push_back({"anthropic-version", std::string{api_version}});
  engine::json_writer w{out.body};
  w.begin_object();
  w.field("model", req.upstream_model);
  w.field("max_tokens", req.max_tokens);
  if (auto why = write_system(w, req.messages, o.system_cache_control);
      !why.empty())
    return why;
  if (auto why = write_messages(w, req.messages); !why.empty())
    return why;
  if (auto why = write_tools(w, o); !why.empty())
    return why;
  if (req.temperature)
    w.field("temperature", *req.temperature);
  if (o.top_p)
    w.field("top_p", *o.top_p);
  if (o.top_k)
    w.field("top_k", *o.top_k);
  if (!req.stop.empty())
    write_string_array(w, "stop_sequences", req.stop);
  if (o.thinking_budget) {
    w.key("thinking").begin_object();
    w.field("type", "enabled");
    w.field("budget_tokens", *o.thinking_budget);
    w.end_object();
  }
  if (!o.user.empty()) {
    w.key("metadata").begin_object();
    w.field("user_id", o.user);
    w.end_object();
  }
  if (stream)
    w.field("stream", true);
  w.end_object();
  return {};
}

void anthropic_format::authorize(std::string_view key,
                                 http::header_list& headers) const {
  headers.push_back({"x-api-key", std::string{key}});
}

std::string_view
anthropic_format::normalize_stop_reason(std::string_view reason) noexcept {
  if (reason == "max_tokens")
    return "length";
  if (reason == "tool_use")
    return "tool_calls";
  if (reason == "refusal")
    return "content_filter";
  return "stop"; // end_turn, stop_sequence, pause_turn
}

engine::call_error
anthropic_format::classify_error_type(std::string_view type) noexcept {
  if (type == "rate_limit_error")
    return engine::call_error::rate_limited;
  if (type == "invalid_request_error" || type == "authentication_error"
      || type == "permission_error" || type == "not_found_error"
      || type == "request_too_large")
    return engine::call_error::client_error;
  return engine::call_error::server_error; // api_error, overloaded_error
}

namespace {

// -- the answer --------------------------------------------------------------

/// Token counts as one `usage` object reports them; unset when absent.
struct usage_counts {
  std::optional<std::uint32_t> input;
  std::optional<std::uint32_t> output;

  void apply(engine::call_result& result) const {
    if (input)
      result.input_tokens = *input;
    if (output)
      result.output_tokens = *output;
  }
};

/// Cache reads and writes are input too (billed at their own rates, but
/// the budget must see them).
error_code read_usage(od::value& v, usage_counts& u) {
  od::object usage;
  if (auto e = v.get_object().get(usage))
    return e;
  return for_each_field(usage, [&](std::string_view key, od::value& n) {
    std::uint32_t count = 0;
    bool input = key == "input_tokens" || key == "cache_read_input_tokens"
                 || key == "cache_creation_input_tokens";
    if (!input && key != "output_tokens")
      return simdjson::SUCCESS;
    if (auto e = read_u32(n, count))
      return e;
    auto& slot = input ? u.input : u.output;
    slot = slot.value_or(0) + count;
    return simdjson::SUCCESS;
  });
}

/// The fields of a content block (or of a stream delta or error) this
/// format reads.
/// Views into the parsed document: valid until the parser's next document.
struct block_fields {
  std::string_view type;
  std::string_view text;
  std::string_view id;
  std::string_view name;
  std::string_view input;
  std::string_view thinking;
  std::string_view signature;
  std::string_view data;
  std::string_view partial_json;
  std::string_view stop_reason;
  std::string_view message;
};

error_code read_block(od::value& v, block_fields& b) {
  od::object block;
  if (auto e = v.get_object().get(block))
    return e;
  // `type` may come after the fields it explains: read all, decide later.
  return for_each_field(block, [&](std::string_view key, od::value& f) {
    if (key == "input")
      return read_raw(f, b.input);
    std::string_view* slot = key == "type"           ? &b.type
                             : key == "text"         ? &b.text
                             : key == "id"           ? &b.id
                             : key == "name"         ? &b.name
                             : key == "thinking"     ? &b.thinking
                             : key == "signature"    ? &b.signature
                             : key == "data"         ? &b.data
                             : key == "partial_json" ? &b.partial_json
                             : key == "stop_reason"  ? &b.stop_reason
                             : key == "message"      ? &b.message
                                                     : nullptr;
    return slot ? read_string(f, *slot) : simdjson::SUCCESS;
  });
}

/// A thinking or redacted_thinking block, kept whole to be sent back.
content_part reasoning_of(const block_fields& b) {
  auto p = make_reasoning(std::string{b.thinking}, own_reasoning);
  p.signature = b.signature;
  p.redacted = b.type == "redacted_thinking";
  p.data = b.data;
  return p;
}

class anthropic_stream_decoder final : public stream_decoder {
 public:
  bool feed(std::string_view bytes, const chunk_callback& on_chunk,
            engine::call_result& result) override {
    sse_.feed(bytes);
    http::sse_event event;
    while (sse_.next(event))
      if (!stopped_ && !on_event(event.data, on_chunk, result))
        return false;
    if (sse_.overflowed())
      return fail_malformed(result, "malformed stream: an event exceeds the "
                                    "size limit");
    return true;
  }

  bool finish(engine::call_result& result) override {
    auto calls = tools_.take();
    for (auto [is_call, at] : order_)
      result.content.push_back(is_call ? std::move(calls[at])
                                       : std::move(reasoning_[at]));
    return stopped_;
  }

 private:
  /// What one event carries. The `type` inside the data is authoritative;
  /// the SSE `event:` line repeats it.
  struct event_fields {
    std::string_view type;
    std::uint32_t index = 0;
    block_fields block;
    block_fields delta;
    block_fields error;
    usage_counts usage;
  };

  error_code read_event(od::object root, event_fields& ev) {
    return for_each_field(root, [&](std::string_view key, od::value& v) {
      if (key == "type")
        return read_string(v, ev.type);
      if (key == "index")
        return read_u32(v, ev.index);
      if (key == "content_block")
        return read_block(v, ev.block);
      if (key == "delta")
        return read_block(v, ev.delta);
      if (key == "usage")
        return read_usage(v, ev.usage);
      if (key == "error")
        return read_block(v, ev.error);
      if (key != "message")
        return simdjson::SUCCESS;
      // message_start: the input usage (and a first output count).
      od::object msg;
      if (auto e = v.get_object().get(msg))
        return e;
      return for_each_field(msg, [&](std::string_view mk, od::value& mv) {
        return mk == "usage" ? read_usage(mv, ev.usage) : simdjson::SUCCESS;
      });
    });
  }

  bool on_event(std::string_view data, const chunk_callback& on_chunk,
                engine::call_result& result) {
    od::document doc;
    od::object root;
    auto e = parser_.iterate(copy_.load(data)).get(doc);
    if (!e)
      e = doc.get_object().get(root);
    if (e)
      return fail_malformed(result,
                            malformed("stream event is not a JSON object", e));
    event_fields ev;
    if (auto re = read_event(root, ev))
      return fail_malformed(result, malformed("unexpected stream event", re));
    if (ev.type == "error") {
      result.error = anthropic_format::classify_error_type(ev.error.type);
      result.finish_reason = "error";
      result.error_message = "error event in stream: "
                             + std::string{ev.error.type} + ": "
                             + std::string{ev.error.message};
      return false;
    }
    engine::stream_chunk chunk;
    if (ev.type == "message_stop")
      stopped_ = true;
    else if (ev.type == "content_block_start")
      start_block(ev, chunk, result, on_chunk);
    else if (ev.type == "content_block_delta")
      add_delta(ev, chunk, result, on_chunk);
    else if (ev.type == "content_block_stop")
      stop_block(ev, chunk);
    else if (ev.type == "message_delta" && !ev.delta.stop_reason.empty()) {
      result.finish_reason
        = anthropic_format::normalize_stop_reason(ev.delta.stop_reason);
      chunk.finish_reason = result.finish_reason;
    }
    if (ev.usage.input || ev.usage.output) {
      ev.usage.apply(result);
      chunk.input_tokens = result.input_tokens;
      chunk.output_tokens = result.output_tokens;
    }
    bool worth_sending = !chunk.delta.empty() || !chunk.reasoning.empty()
                         || !chunk.reasoning_signature.empty()
                         || !chunk.finish_reason.empty() || chunk.input_tokens;
    if (worth_sending && on_chunk)
      on_chunk(chunk);
    return true;
  }

  void start_block(const event_fields& ev, engine::stream_chunk& chunk,
                   engine::call_result& result,
                   const chunk_callback& on_chunk) {
    const auto& b = ev.block;
    if (b.type == "text") {
      result.text += b.text;
      chunk.delta = b.text;
    } else if (b.type == "tool_use") {
      // The start carries `input: {}`; the arguments follow as deltas.
      auto at = tools_.add({ev.index, b.id, b.name, {}});
      order_.emplace_back(true, at.position);
      emit_tool_fragment(tools_, at, {}, on_chunk);
    } else if (b.type == "thinking" || b.type == "redacted_thinking") {
      thinking_[ev.index] = reasoning_.size();
      order_.emplace_back(false, reasoning_.size());
      reasoning_.push_back(reasoning_of(b));
      chunk.reasoning = b.thinking;
    }
  }

  void add_delta(const event_fields& ev, engine::stream_chunk& chunk,
                 engine::call_result& result, const chunk_callback& on_chunk) {
    const auto& d = ev.delta;
    if (d.type == "text_delta") {
      result.text += d.text;
      chunk.delta = d.text;
    } else if (d.type == "input_json_delta" && !d.partial_json.empty()) {
      auto at = tools_.add({ev.index, {}, {}, d.partial_json});
      if (at.started) // arguments for a block that never started
        order_.emplace_back(true, at.position);
      emit_tool_fragment(tools_, at, d.partial_json, on_chunk);
    } else if (auto* part = thinking_at(ev.index)) {
      if (d.type == "thinking_delta") {
        part->text += d.thinking;
        chunk.reasoning = d.thinking;
      } else if (d.type == "signature_delta") {
        part->signature += d.signature;
      }
    }
  }

  /// A thinking block's signature goes out once, whole, as its block ends.
  void stop_block(const event_fields& ev, engine::stream_chunk& chunk) {
    if (auto* part = thinking_at(ev.index); part && !part->redacted)
      chunk.reasoning_signature = part->signature;
  }

  content_part* thinking_at(std::uint32_t index) {
    auto i = thinking_.find(index);
    return i == thinking_.end() ? nullptr : &reasoning_[i->second];
  }

  http::sse_parser sse_;
  od::parser parser_;
  padded_copy copy_;
  engine::tool_call_assembler tools_;
  std::vector<content_part> reasoning_;
  /// Content block index -> its reasoning part.
  std::map<std::uint32_t, std::size_t> thinking_;
  /// The answer's reasoning and tool-call parts in the order they started:
  /// (is a tool call, position in tools_ or reasoning_).
  std::vector<std::pair<bool, std::size_t>> order_;
  bool stopped_ = false;
};

} // namespace

bool anthropic_format::parse_response(std::string& body,
                                      engine::call_result& result) const {
  thread_local od::parser parser;
  od::document doc;
  od::object root;
  auto e = parser.iterate(pad_in_place(body)).get(doc);
  if (!e)
    e = doc.get_object().get(root);
  if (e)
    return fail_malformed(result, malformed("not a JSON object", e));
  std::string_view type;
  bool saw_content = false;
  usage_counts usage;
  e = for_each_field(root, [&](std::string_view key, od::value& v) {
    if (key == "type")
      return read_string(v, type);
    if (key == "usage")
      return read_usage(v, usage);
    if (key == "stop_reason") {
      std::string_view r;
      if (auto re = read_string(v, r))
        return re;
      result.finish_reason = normalize_stop_reason(r);
      return simdjson::SUCCESS;
    }
    if (key != "content")
      return simdjson::SUCCESS;
    saw_content = true;
    od::array blocks;
    if (auto ce = v.get_array().get(blocks))
      return ce;
    return for_each_element(blocks, [&](od::value& value) {
      block_fields b;
      if (auto be = read_block(value, b))
        return be;
      if (b.type == "text")
        result.text += b.text;
      else if (b.type == "tool_use")
        result.content.push_back(content_part::make_tool_call(
          std::string{b.id}, std::string{b.name},
          b.input.empty() ? std::string{"{}"} : std::string{b.input}));
      else if (b.type == "thinking" || b.type == "redacted_thinking")
        result.content.push_back(reasoning_of(b));
      return simdjson::SUCCESS;
    });
  });
  if (e)
    return fail_malformed(result, malformed("unexpected message", e));
  if (type != "message" || !saw_content)
    return fail_malformed(result,
                          malformed("not a message (no type 'message' with "
                                    "content)",
                                    simdjson::SUCCESS));
  usage.apply(result);
  return true;
}

std::unique_ptr<stream_decoder> anthropic_format::make_stream_decoder() const {
  return std::make_unique<anthropic_stream_decoder>();
}

} // namespace switchyard::providers
