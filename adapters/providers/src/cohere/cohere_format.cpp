#include "switchyard/providers/cohere/cohere_format.hpp"

#include "json_object_parser.hpp"
#include "json_stream_decoder.hpp"
#include "json_support.hpp"
#include "name_table.hpp"
#include "tool_call_decoder.hpp"
#include "usage_counts.hpp"

#include <optional>

namespace switchyard::providers {

using namespace detail;

std::string_view
cohere_format::normalize_finish_reason(std::string_view reason) noexcept {
  return lookup_name<std::string_view>(reason,
                                       {{"MAX_TOKENS", "length"},
                                        {"TOOL_CALL", "tool_calls"},
                                        {"ERROR_TOXIC", "content_filter"},
                                        {"ERROR", "error"}},
                                       "stop");
}

namespace {

const usage_keys cohere_usage{{"input_tokens"}, {"output_tokens"}};

/// `usage: {billed_units: {...}, tokens: {...}}`: billed units win.
error_code read_usage(od::value& v, engine::call_result& result) {
  usage_counts billed;
  usage_counts tokens;
  bool has_billed = false;
  auto e = for_each_field(v, [&](std::string_view key, od::value& part) {
    if (key == "billed_units") {
      has_billed = true;
      return billed.read(part, cohere_usage);
    }
    return key == "tokens" ? tokens.read(part, cohere_usage)
                           : simdjson::SUCCESS;
  });
  (has_billed ? billed : tokens).apply(result);
  return e;
}

/// The answer's parts as chat v2 spells them. `tool_plan` (what the model
/// means to do before its calls) and `thinking` content are reasoning.
struct cohere_message {
  std::string thinking;
  std::string plan;
  tool_call_decoder calls;

  /// Reasoning first (thinking, then the plan), then the calls.
  void move_into(engine::call_result& result) {
    for (auto* reasoning : {&thinking, &plan})
      if (!reasoning->empty())
        result.content.push_back(
          make_reasoning(std::move(*reasoning), "cohere"));
    calls.take_into(result.content);
  }
};

/// One content block, `{type: text, text}` or `{type: thinking,
/// thinking}`: a list of them in a whole message, one in a stream delta.
error_code read_block(od::value& v, std::string_view& text,
                      std::string_view& thinking) {
  return read_string_fields(v, {{"text", &text}, {"thinking", &thinking}});
}

/// `message: {content: [...], tool_plan, tool_calls: [...]}`.
error_code read_message(od::value& v, engine::call_result& result,
                        cohere_message& out) {
  auto read_content = [&](od::value& block) {
    std::string_view text;
    std::string_view thinking;
    auto e = read_block(block, text, thinking);
    result.text += text;
    out.thinking += thinking;
    return e;
  };
  return for_each_field(
    v, [&](std::string_view key, od::value& f) -> error_code {
      if (key == "tool_calls")
        return out.calls.read_each(f, result, [&](const auto& call) {
          out.calls.add_whole(call, {});
        });
      if (key == "content")
        return is_null(f) ? simdjson::SUCCESS
                          : for_each_element(f, read_content);
      if (key != "tool_plan")
        return simdjson::SUCCESS;
      std::string_view s;
      auto e = read_string(f, s);
      out.plan += s;
      return e;
    });
}

/// What one stream event says; the views point into the parsed event.
struct cohere_event {
  std::string_view type;
  std::optional<std::uint32_t> index;
  std::string_view text;
  std::string_view thinking;
  std::string_view plan;
  tool_call_decoder::fragment call;
  std::string_view finish;
  bool usage_seen = false;
};

/// `delta`: the finish reason and usage (message-end), or `message`: the
/// plan, a content block, or `tool_calls`, an object in tool-call-start
/// (id, name, maybe the first arguments) and tool-call-delta (an arguments
/// piece) but an empty list in message-start.
error_code read_delta(od::value& v, cohere_event& ev,
                      engine::call_result& result) {
  auto read_message_delta = [&](std::string_view key, od::value& f) {
    if (key == "tool_plan")
      return read_string(f, ev.plan);
    if (key != "tool_calls" && key != "content")
      return simdjson::SUCCESS;
    if (!is_type(f, od::json_type::object))
      return simdjson::SUCCESS;
    return key == "content" ? read_block(f, ev.text, ev.thinking)
                            : tool_call_decoder::read(f, ev.call, result);
  };
  return for_each_field(v,
                        [&](std::string_view key, od::value& f) -> error_code {
                          if (key == "finish_reason")
                            return read_string(f, ev.finish);
                          if (key == "usage") {
                            ev.usage_seen = true;
                            return read_usage(f, result);
                          }
                          return key == "message"
                                   ? for_each_field(f, read_message_delta)
                                   : simdjson::SUCCESS;
                        });
}

/// Chat v2 stream events: message-start, content-start/-delta/-end,
/// tool-plan-delta, tool-call-start/-delta/-end, and message-end (the end,
/// with the finish reason and usage).
class cohere_stream_decoder final : public json_stream_decoder {
  using json_stream_decoder::json_stream_decoder;

  error_code read_event(od::object event, const stream_output& out) override {
    cohere_event ev;
    auto read_index = [&ev](od::value& v) {
      std::uint32_t index = 0;
      auto e = read_u32(v, index);
      ev.index = index;
      return e;
    };
    auto e = for_each_field(
      event, [&](std::string_view key, od::value& v) -> error_code {
        if (key == "type")
          return read_string(v, ev.type);
        if (key == "index")
          return read_index(v);
        return key == "delta" ? read_delta(v, ev, out.result)
                              : simdjson::SUCCESS;
      });
    if (e)
      return e;
    if (ev.type == "tool-call-start" || ev.type == "tool-call-delta") {
      // Cohere numbers its calls; the index places each fragment.
      ev.call.index = ev.index;
      message_.calls.add(ev.call, out.on_chunk);
    } else if (ev.type == "message-end") {
      end_message(ev, out);
    } else if (ev.type == "content-start" || ev.type == "content-delta") {
      out.result.text += ev.text;
      message_.thinking += ev.thinking;
      out.emit_text(ev.text, ev.thinking);
    } else if (ev.type == "tool-plan-delta") {
      message_.plan += ev.plan;
      out.emit_text({}, ev.plan);
    }
    return simdjson::SUCCESS;
  }

  void complete(engine::call_result& result) override {
    message_.move_into(result);
  }

  void end_message(const cohere_event& ev, const stream_output& out) {
    end();
    if (ev.finish == "ERROR") {
      fail_upstream(out.result, engine::call_error::server_error,
                    "the stream ended with finish_reason ERROR");
      return;
    }
    auto& reason = out.result.finish_reason;
    reason = cohere_format::normalize_finish_reason(ev.finish);
    message_.calls.adjust_finish_reason(reason);
    out.emit_finish(reason, ev.usage_seen);
  }

  cohere_message message_;
};

} // namespace

std::unique_ptr<stream_decoder> cohere_format::make_stream_decoder() const {
  return std::make_unique<cohere_stream_decoder>(stream_framing::sse);
}

bool cohere_format::parse_response(std::string& body,
                                   engine::call_result& result) const {
  bool saw_message = false;
  cohere_message message;
  // No finish_reason reads as a stop.
  result.finish_reason = normalize_finish_reason({});
  auto read = [&](od::object root) {
    return for_each_field(
      root, [&](std::string_view key, od::value& v) -> error_code {
        if (key == "usage")
          return read_usage(v, result);
        if (key == "finish_reason")
          return read_finish_reason(v, result, normalize_finish_reason);
        saw_message = saw_message || key == "message";
        return key == "message" ? read_message(v, result, message)
                                : simdjson::SUCCESS;
      });
  };
  if (!read_body(body, "unexpected chat response", result, read))
    return false;
  if (!saw_message)
    return fail_malformed(result, malformed("no message", simdjson::SUCCESS));
  message.calls.adjust_finish_reason(result.finish_reason);
  message.move_into(result);
  return true;
}

} // namespace switchyard::providers
