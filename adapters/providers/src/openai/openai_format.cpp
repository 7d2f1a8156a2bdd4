#include "switchyard/providers/openai/openai_format.hpp"

#include "json_object_parser.hpp"
#include "json_stream_decoder.hpp"
#include "json_support.hpp"
#include "name_table.hpp"
#include "tool_call_decoder.hpp"
#include "usage_counts.hpp"

namespace switchyard::providers {

using namespace detail;

std::string_view
openai_format::normalize_finish_reason(std::string_view reason) noexcept {
  return lookup_name<std::string_view>(
    reason, {{"function_call", "tool_calls"}, {"", "stop"}}, reason);
}

namespace {

const usage_keys openai_usage{{"prompt_tokens"}, {"completion_tokens"}};

/// `content` of a message: a string, null, or (some OpenAI-compatible
/// servers) a list of parts whose text parts are the answer.
error_code read_content(od::value& v, std::string& text) {
  if (!is_type(v, od::json_type::array)) {
    std::string_view s;
    if (auto e = read_string(v, s))
      return e;
    text += s;
    return simdjson::SUCCESS;
  }
  return for_each_element(v, [&](od::value& part) -> error_code {
    std::string_view kind;
    std::string_view s;
    auto e = read_string_fields(part, {{"type", &kind}, {"text", &s}});
    if (!e && kind == "text")
      text += s;
    return e;
  });
}

/// The reasoning fields: `reasoning_content` from vLLM and DeepSeek,
/// `reasoning` from OpenRouter and newer vLLM. Only a string is read;
/// anything else (OpenRouter's structured `reasoning_details`) is not ours.
bool is_reasoning_key(std::string_view key) noexcept {
  return key == "reasoning_content" || key == "reasoning";
}

/// Calls `f(key, value)` for each field of each choice in `choices`; only
/// the first when `first_only` (with n > 1 the first choice is the answer).
/// `count` says how many choices there were.
template<class F>
error_code
read_choices(od::value& choices, bool first_only, std::size_t& count, F&& f) {
  return for_each_element(choices, [&](od::value& choice) -> error_code {
    if (first_only && count > 0)
      return simdjson::SUCCESS;
    ++count;
    return for_each_field(choice, f);
  });
}

/// `choices[0].message` of a whole completion.
error_code read_message(od::value& v, engine::call_result& result,
                        std::string& reasoning, tool_call_decoder& calls) {
  std::string refusal;
  auto e
    = for_each_field(v, [&](std::string_view key, od::value& f) -> error_code {
        if (key == "content")
          return read_content(f, result.text);
        if (key == "refusal")
          return read_content(f, refusal);
        if (key == "tool_calls")
          return calls.read_each(f, result, [&](const auto& call) {
            calls.add_whole(call, {});
          });
        if (!is_reasoning_key(key) || !reasoning.empty())
          return simdjson::SUCCESS;
        std::string_view s;
        auto re = read_string_only(f, s);
        reasoning = s;
        return re;
      });
  // A refusal is the answer the client should see when there is no other.
  if (!e && result.text.empty())
    result.text = std::move(refusal);
  return e;
}

/// Chat completion chunks: text, reasoning and tool-call fragments are
/// passed on as they are read; the finish reason and usage close the event.
/// `[DONE]` ends the stream.
class openai_stream_decoder final : public json_stream_decoder {
  using json_stream_decoder::json_stream_decoder;

  error_code read_event(od::object event, const stream_output& out) override {
    std::string_view finish;
    std::string_view error_message;
    bool has_error = false;
    bool has_usage = false;
    std::size_t choices = 0;
    auto read_choice = [&](std::string_view key, od::value& v) {
      if (key == "delta")
        return read_delta(v, out);
      if (key != "finish_reason")
        return error_code{simdjson::SUCCESS};
      std::string_view reason;
      auto e = read_string(v, reason);
      if (!reason.empty())
        finish = openai_format::normalize_finish_reason(reason);
      return e;
    };
    auto e = for_each_field(
      event, [&](std::string_view key, od::value& v) -> error_code {
        if (key == "choices")
          return read_choices(v, false, choices, read_choice);
        if (key == "usage") {
          has_usage = !is_null(v);
          return read_usage(v, openai_usage, out.result);
        }
        if (key == "model")
          return read_response_model(v, out.result);
        if (key != "error" || is_null(v))
          return simdjson::SUCCESS;
        has_error = true;
        return read_error_message(v, error_message);
      });
    if (e)
      return e;
    if (has_error)
      return out.error_event(engine::call_error::server_error, {},
                             error_message);
    if (!finish.empty()) {
      saw_finish_ = true;
      out.result.finish_reason = finish;
      calls_.adjust_finish_reason(out.result.finish_reason);
    }
    out.emit_finish(finish.empty() ? finish : out.result.finish_reason,
                    has_usage);
    return simdjson::SUCCESS;
  }

  void complete(engine::call_result& result) override {
    if (!saw_finish_ && ended()) {
      result.finish_reason = "stop";
      calls_.adjust_finish_reason(result.finish_reason);
    }
    if (!reasoning_.empty())
      result.content.push_back(make_reasoning(std::move(reasoning_), "openai"));
    calls_.take_into(result.content);
  }

  /// `delta`: text, reasoning, and tool-call fragments (each placed by the
  /// decoder: by `index`, else id, else the newest call).
  error_code read_delta(od::value& v, const stream_output& out) {
    bool reasoning_read = false;
    return for_each_field(
      v, [&](std::string_view key, od::value& f) -> error_code {
        std::string_view s;
        if (key == "tool_calls")
          return calls_.read_each(f, out.result, [&](const auto& fragment) {
            calls_.add(fragment, out.on_chunk);
          });
        if (key == "content" || key == "refusal") {
          auto e = read_string(f, s);
          out.result.text += s;
          out.emit_text(s, {});
          return e;
        }
        if (!is_reasoning_key(key) || reasoning_read)
          return simdjson::SUCCESS;
        // Servers that send both spell the same text twice.
        auto e = read_string_only(f, s);
        reasoning_read = !s.empty();
        reasoning_ += s;
        out.emit_text({}, s);
        return e;
      });
  }

  tool_call_decoder calls_;
  std::string reasoning_;
  bool saw_finish_ = false;
};

} // namespace

std::unique_ptr<stream_decoder> openai_format::make_stream_decoder() const {
  return std::make_unique<openai_stream_decoder>(stream_framing::sse, "[DONE]");
}

bool openai_format::parse_response(std::string& body,
                                   engine::call_result& result) const {
  std::size_t choices = 0;
  std::string_view error_message;
  bool has_error = false;
  std::string reasoning;
  tool_call_decoder calls;
  auto read = [&](od::object root) {
    return for_each_field(root, [&](std::string_view key, od::value& v) {
      if (key == "usage")
        return read_usage(v, openai_usage, result);
      if (key == "model")
        return read_response_model(v, result);
      if (key == "error" && !is_null(v)) {
        has_error = true;
        return read_error_message(v, error_message);
      }
      if (key != "choices")
        return error_code{simdjson::SUCCESS};
      return read_choices(
        v, true, choices, [&](std::string_view k, od::value& cv) {
          if (k == "message")
            return read_message(cv, result, reasoning, calls);
          return k == "finish_reason"
                   ? read_finish_reason(cv, result, normalize_finish_reason)
                   : simdjson::SUCCESS;
        });
    });
  };
  if (!read_body(body, "unexpected chat completion", result, read))
    return false;
  if (has_error)
    return fail_upstream(result, engine::call_error::server_error,
                         "error in a 200 response: "
                           + std::string{error_message});
  if (choices == 0)
    return fail_malformed(result, malformed("no choices", simdjson::SUCCESS));
  if (!reasoning.empty())
    result.content.push_back(make_reasoning(std::move(reasoning), "openai"));
  calls.adjust_finish_reason(result.finish_reason);
  calls.take_into(result.content);
  return true;
}

} // namespace switchyard::providers
