// The messages answer, whole and streamed, read into the conversation model.
#include "switchyard/providers/anthropic/anthropic_format.hpp"

#include "json_support.hpp"
#include "model_listing_support.hpp"
#include "switchyard/engine/tool_call_assembler.hpp"
#include "switchyard/http/sse_parser.hpp"

#include <map>

namespace switchyard::providers {

using namespace detail;
using engine::content_part;

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
  auto p = make_reasoning(std::string{b.thinking},
                          anthropic_format::reasoning_name);
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

void anthropic_format::build_models_request(std::string_view base_path,
                                            http::client_request& out) const {
  // One page of the largest size the API allows (its default is 20).
  begin_json_get(out, std::string{base_path} + "/v1/models?limit=1000");
  out.headers.push_back({"anthropic-version", std::string{api_version}});
}

bool anthropic_format::parse_models(std::string& body,
                                    engine::model_listing& out) const {
  return read_model_names(body, {"data", {"id"}, {}}, out);
}

} // namespace switchyard::providers
