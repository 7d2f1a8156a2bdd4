// The messages answer, whole and streamed, read into the conversation model.
#include "switchyard/providers/anthropic/anthropic_format.hpp"

#include "json_object_parser.hpp"
#include "json_stream_decoder.hpp"
#include "json_support.hpp"
#include "name_table.hpp"
#include "tool_call_decoder.hpp"
#include "usage_counts.hpp"

#include <map>

namespace switchyard::providers {

using namespace detail;
using engine::content_part;

std::string_view
anthropic_format::normalize_stop_reason(std::string_view reason) noexcept {
  // end_turn, stop_sequence and pause_turn are a stop.
  return lookup_name<std::string_view>(reason,
                                       {{"max_tokens", "length"},
                                        {"tool_use", "tool_calls"},
                                        {"refusal", "content_filter"}},
                                       "stop");
}

engine::call_error
anthropic_format::classify_error_type(std::string_view type) noexcept {
  using engine::call_error;
  // api_error and overloaded_error are the server's.
  return lookup_name(type,
                     {{"rate_limit_error", call_error::rate_limited},
                      {"invalid_request_error", call_error::client_error},
                      {"authentication_error", call_error::client_error},
                      {"permission_error", call_error::client_error},
                      {"not_found_error", call_error::client_error},
                      {"request_too_large", call_error::client_error}},
                     call_error::server_error);
}

namespace {

// -- the answer --------------------------------------------------------------

/// Cache reads and writes are input too (billed at their own rates, but
/// the budget must see them).
const usage_keys anthropic_usage{{"input_tokens", "cache_read_input_tokens",
                                  "cache_creation_input_tokens"},
                                 {"output_tokens"}};

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
  // `type` may come after the fields it explains: read all, decide later.
  return read_string_fields(v,
                            {{"type", &b.type},
                             {"text", &b.text},
                             {"id", &b.id},
                             {"name", &b.name},
                             {"thinking", &b.thinking},
                             {"signature", &b.signature},
                             {"data", &b.data},
                             {"partial_json", &b.partial_json},
                             {"stop_reason", &b.stop_reason},
                             {"message", &b.message}},
                            [&](std::string_view key, od::value& f) {
                              return key == "input" ? read_raw(f, b.input)
                                                    : simdjson::SUCCESS;
                            });
}

bool is_thinking(const block_fields& b) noexcept {
  return b.type == "thinking" || b.type == "redacted_thinking";
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

/// What one stream event carries. The `type` inside the data is
/// authoritative; the SSE `event:` line repeats it.
struct event_fields {
  std::string_view type;
  std::uint32_t index = 0;
  block_fields block;
  block_fields delta;
  block_fields error;
  usage_counts usage;
  /// message_start's `message.model`.
  std::string_view model;

  error_code read(od::object event) {
    return for_each_field(event, [&](std::string_view key, od::value& v) {
      if (key == "type")
        return read_string(v, type);
      if (key == "index")
        return read_u32(v, index);
      if (key == "usage")
        return usage.read(v, anthropic_usage);
      block_fields* fields = key == "content_block" ? &block
                             : key == "delta"       ? &delta
                             : key == "error"       ? &error
                                                    : nullptr;
      if (fields)
        return read_block(v, *fields);
      if (key != "message")
        return simdjson::SUCCESS;
      // message_start: the input usage (and a first output count).
      return for_each_field(v, [&](std::string_view mk, od::value& mv) {
        return mk == "usage"   ? usage.read(mv, anthropic_usage)
               : mk == "model" ? read_string(mv, model)
                               : simdjson::SUCCESS;
      });
    });
  }
};

/// Messages stream events: message_start, content_block_start/_delta/_stop,
/// message_delta, message_stop (the end), pings, and possibly an error.
/// Each event's text, reasoning, signature, finish reason and usage go out
/// as one chunk; tool-call fragments go out on their own.
class anthropic_stream_decoder final : public json_stream_decoder {
  using json_stream_decoder::json_stream_decoder;

  error_code read_event(od::object event, const stream_output& out) override {
    event_fields ev;
    if (auto e = ev.read(event))
      return e;
    if (ev.type == "error")
      return out.error_event(
        anthropic_format::classify_error_type(ev.error.type), ev.error.type,
        ev.error.message);
    auto& result = out.result;
    if (!ev.model.empty() && result.response_model.empty())
      result.response_model = ev.model;
    engine::stream_chunk chunk;
    if (ev.type == "message_stop")
      end();
    else if (ev.type == "content_block_start")
      add_block(ev.index, ev.block, chunk, out);
    else if (ev.type == "content_block_delta")
      add_block(ev.index, ev.delta, chunk, out);
    else if (ev.type == "content_block_stop")
      stop_block(ev, chunk);
    else if (ev.type == "message_delta" && !ev.delta.stop_reason.empty()) {
      result.finish_reason
        = anthropic_format::normalize_stop_reason(ev.delta.stop_reason);
      chunk.finish_reason = result.finish_reason;
    }
    if (ev.usage.any()) {
      ev.usage.apply(result);
      chunk.input_tokens = result.input_tokens;
      chunk.output_tokens = result.output_tokens;
    }
    bool worth_sending = !chunk.delta.empty() || !chunk.reasoning.empty()
                         || !chunk.reasoning_signature.empty()
                         || !chunk.finish_reason.empty() || chunk.input_tokens;
    if (worth_sending)
      out.emit(chunk);
    return simdjson::SUCCESS;
  }

  void complete(engine::call_result& result) override {
    parts_.take_into(result.content);
  }

  /// A content block's start (`b` its content_block) or one of its deltas:
  /// a piece of text, a tool call's id and name (its arguments follow as
  /// input_json deltas; arguments for a block that never started start a
  /// call), or a thinking block's start, text or signature.
  void add_block(std::uint32_t index, const block_fields& b,
                 engine::stream_chunk& chunk, const stream_output& out) {
    bool arguments = b.type == "input_json_delta" && !b.partial_json.empty();
    if (b.type == "text" || b.type == "text_delta") {
      out.result.text += b.text;
      chunk.delta = b.text;
    } else if (b.type == "tool_use" || arguments) {
      parts_.add({index, b.id, b.name, b.partial_json}, out.on_chunk);
    } else if (is_thinking(b)) {
      thinking_[index] = parts_.add_part(reasoning_of(b));
      chunk.reasoning = b.thinking;
    } else if (auto* part = thinking_at(index)) {
      // thinking_delta or signature_delta.
      part->text += b.thinking;
      part->signature += b.signature;
      chunk.reasoning = b.thinking;
    }
  }

  /// A thinking block's signature goes out once, whole, as its block ends.
  void stop_block(const event_fields& ev, engine::stream_chunk& chunk) {
    if (auto* part = thinking_at(ev.index); part && !part->redacted)
      chunk.reasoning_signature = part->signature;
  }

  content_part* thinking_at(std::uint32_t index) {
    auto i = thinking_.find(index);
    return i == thinking_.end() ? nullptr : &parts_.part(i->second);
  }

  /// The answer's reasoning and tool calls, in the order their blocks
  /// started.
  tool_call_decoder parts_;
  /// Content block index -> its reasoning part's slot in parts_.
  std::map<std::uint32_t, std::size_t> thinking_;
};

} // namespace

std::unique_ptr<stream_decoder> anthropic_format::make_stream_decoder() const {
  return std::make_unique<anthropic_stream_decoder>(stream_framing::sse);
}

bool anthropic_format::parse_response(std::string& body,
                                      engine::call_result& result) const {
  std::string_view type;
  bool saw_content = false;
  usage_counts usage;
  tool_call_decoder parts;
  auto read_content = [&](od::value& block) {
    block_fields b;
    if (auto e = read_block(block, b))
      return e;
    if (b.type == "text")
      result.text += b.text;
    else if (b.type == "tool_use")
      parts.add_whole({{}, b.id, b.name, b.input}, {});
    else if (is_thinking(b))
      parts.add_part(reasoning_of(b));
    return error_code{simdjson::SUCCESS};
  };
  auto read = [&](od::object root) {
    return for_each_field(root, [&](std::string_view key, od::value& v) {
      if (key == "type")
        return read_string(v, type);
      if (key == "usage")
        return usage.read(v, anthropic_usage);
      if (key == "model")
        return read_response_model(v, result);
      if (key == "content") {
        saw_content = true;
        return for_each_element(v, read_content);
      }
      return key == "stop_reason"
               ? read_finish_reason(v, result, normalize_stop_reason)
               : simdjson::SUCCESS;
    });
  };
  if (!read_body(body, "unexpected message", result, read))
    return false;
  if (type != "message" || !saw_content)
    return fail_malformed(result,
                          malformed("not a message (no type 'message' with "
                                    "content)",
                                    simdjson::SUCCESS));
  parts.take_into(result.content);
  usage.apply(result);
  return true;
}

} // namespace switchyard::providers
