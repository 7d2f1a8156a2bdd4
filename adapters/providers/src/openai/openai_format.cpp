#include "switchyard/providers/openai/openai_format.hpp"

#include "json_support.hpp"
#include "model_listing_support.hpp"
#include "switchyard/http/sse_parser.hpp"

namespace switchyard::providers {

using namespace detail;

std::string_view
openai_format::normalize_finish_reason(std::string_view reason) noexcept {
  if (reason == "function_call")
    return "tool_calls";
  if (reason.empty())
    return "stop";
  return reason;
}

namespace {

error_code read_usage(od::value& v, engine::call_result& result) {
  if (is_null(v))
    return simdjson::SUCCESS;
  od::object usage;
  if (auto e = v.get_object().get(usage))
    return e;
  return for_each_field(usage,
                        [&](std::string_view key, od::value& n) -> error_code {
                          if (key == "prompt_tokens")
                            return read_u32(n, result.input_tokens);
                          if (key == "completion_tokens")
                            return read_u32(n, result.output_tokens);
                          return simdjson::SUCCESS;
                        });
}

/// `{"error": {...}}` inside a 200 body or a stream event.
error_code read_error_object(od::value& v, std::string& message) {
  od::json_type type;
  if (auto e = v.type().get(type))
    return e;
  if (type == od::json_type::string) {
    std::string_view s;
    if (auto e = v.get_string().get(s))
      return e;
    message = s;
    return simdjson::SUCCESS;
  }
  od::object obj;
  if (auto e = v.get_object().get(obj))
    return e;
  return for_each_field(obj,
                        [&](std::string_view key, od::value& f) -> error_code {
                          if (key != "message")
                            return simdjson::SUCCESS;
                          std::string_view s;
                          if (auto e = read_string(f, s))
                            return e;
                          message = s;
                          return simdjson::SUCCESS;
                        });
}

/// `content` of a message: a string, null, or (some OpenAI-compatible
/// servers) a list of parts whose text parts are the answer.
error_code read_content(od::value& v, std::string& text) {
  od::json_type type;
  if (auto e = v.type().get(type))
    return e;
  if (type != od::json_type::array) {
    std::string_view s;
    if (auto e = read_string(v, s))
      return e;
    text += s;
    return simdjson::SUCCESS;
  }
  od::array parts;
  if (auto e = v.get_array().get(parts))
    return e;
  return for_each_element(parts, [&](od::value& part) -> error_code {
    od::object obj;
    if (auto e = part.get_object().get(obj))
      return e;
    std::string_view kind;
    std::string_view s;
    auto e = for_each_field(
      obj, [&](std::string_view k, od::value& f) -> error_code {
        if (k == "type")
          return read_string(f, kind);
        if (k == "text")
          return read_string(f, s);
        return simdjson::SUCCESS;
      });
    if (!e && kind == "text")
      text += s;
    return e;
  });
}

/// A string-valued reasoning field (`reasoning_content` from vLLM and
/// DeepSeek, `reasoning` from OpenRouter and newer vLLM); anything else
/// (OpenRouter's structured `reasoning_details`) is not ours to read.
error_code read_reasoning(od::value& v, std::string_view& out) {
  od::json_type type;
  if (auto e = v.type().get(type))
    return e;
  if (type != od::json_type::string)
    return simdjson::SUCCESS;
  return v.get_string().get(out);
}

bool is_reasoning_key(std::string_view key) noexcept {
  return key == "reasoning_content" || key == "reasoning";
}

/// A tool-call answer that said "stop" (some OpenAI-compatible servers do)
/// still finished by calling tools.
std::string_view finish_with_calls(std::string_view reason, bool has_calls) {
  return has_calls && reason == "stop" ? "tool_calls" : reason;
}

class openai_stream_decoder final : public stream_decoder {
 public:
  bool feed(std::string_view bytes, const chunk_callback& on_chunk,
            engine::call_result& result) override {
    sse_.feed(bytes);
    http::sse_event event;
    while (sse_.next(event)) {
      if (done_)
        continue; // nothing follows [DONE]
      if (event.data == "[DONE]") {
        done_ = true;
        continue;
      }
      if (!on_event(event.data, on_chunk, result))
        return false;
    }
    if (sse_.overflowed())
      return fail_malformed(result, "malformed stream: an event exceeds the "
                                    "size limit");
    return true;
  }

  bool finish(engine::call_result& result) override {
    if (!saw_finish_ && done_)
      result.finish_reason = finish_with_calls("stop", !calls_.empty());
    if (!reasoning_.empty())
      result.content.push_back(make_reasoning(std::move(reasoning_), "openai"));
    for (auto& call : calls_.take())
      result.content.push_back(std::move(call));
    return done_;
  }

 private:
  /// One event. Text, reasoning and tool-call fragments are passed on as
  /// they are read; the finish reason and usage close the event.
  bool on_event(std::string_view data, const chunk_callback& on_chunk,
                engine::call_result& result) {
    od::document doc;
    od::object root;
    auto e = parser_.iterate(copy_.load(data)).get(doc);
    if (!e)
      e = doc.get_object().get(root);
    if (e)
      return fail_malformed(result, malformed("stream event is not a JSON "
                                              "object",
                                              e));
    std::string_view finish;
    std::string error_message;
    bool has_error = false;
    bool has_usage = false;
    e = for_each_field(
      root, [&](std::string_view key, od::value& v) -> error_code {
        if (key == "error") {
          has_error = true;
          return read_error_object(v, error_message);
        }
        if (key == "usage") {
          if (!is_null(v))
            has_usage = true;
          return read_usage(v, result);
        }
        if (key != "choices")
          return simdjson::SUCCESS;
        od::array choices;
        if (auto ce = v.get_array().get(choices))
          return ce;
        return for_each_element(choices, [&](od::value& choice) -> error_code {
          od::object c;
          if (auto ce = choice.get_object().get(c))
            return ce;
          return for_each_field(
            c, [&](std::string_view k, od::value& cv) -> error_code {
              if (k == "finish_reason") {
                std::string_view r;
                if (auto re = read_string(cv, r))
                  return re;
                if (!r.empty())
                  finish = openai_format::normalize_finish_reason(r);
                return simdjson::SUCCESS;
              }
              if (k == "delta")
                return read_delta(cv, on_chunk, result);
              return simdjson::SUCCESS;
            });
        });
      });
    if (e)
      return fail_malformed(result, malformed("unexpected stream event", e));
    if (has_error) {
      result.error = engine::call_error::server_error;
      result.finish_reason = "error";
      result.error_message = "error event in stream: "
                             + (error_message.empty() ? std::string{"(none)"}
                                                      : error_message);
      return false;
    }
    if (!finish.empty()) {
      saw_finish_ = true;
      result.finish_reason = finish_with_calls(finish, !calls_.empty());
    }
    if (finish.empty() && !has_usage)
      return true;
    engine::stream_chunk chunk;
    if (!finish.empty())
      chunk.finish_reason = result.finish_reason;
    if (has_usage) {
      chunk.input_tokens = result.input_tokens;
      chunk.output_tokens = result.output_tokens;
    }
    if (on_chunk)
      on_chunk(chunk);
    return true;
  }

  error_code read_delta(od::value& v, const chunk_callback& on_chunk,
                        engine::call_result& result) {
    od::object delta;
    if (auto e = v.get_object().get(delta))
      return e;
    bool reasoning_read = false;
    return for_each_field(
      delta, [&](std::string_view key, od::value& f) -> error_code {
        std::string_view s;
        engine::stream_chunk chunk;
        if (key == "content" || key == "refusal") {
          if (auto e = read_string(f, s))
            return e;
          result.text += s;
          chunk.delta = s;
        } else if (is_reasoning_key(key) && !reasoning_read) {
          // Servers that send both spell the same text twice.
          if (auto e = read_reasoning(f, s))
            return e;
          reasoning_read = !s.empty();
          reasoning_ += s;
          chunk.reasoning = s;
        } else if (key == "tool_calls" && !is_null(f)) {
          return read_tool_fragments(f, on_chunk);
        }
        if ((!chunk.delta.empty() || !chunk.reasoning.empty()) && on_chunk)
          on_chunk(chunk);
        return simdjson::SUCCESS;
      });
  }

  /// `delta.tool_calls[]`: each fragment is placed by the assembler (by
  /// `index`, else id, else the newest call) and passed on at once.
  error_code read_tool_fragments(od::value& v, const chunk_callback& on_chunk) {
    od::array arr;
    if (auto e = v.get_array().get(arr))
      return e;
    return for_each_element(arr, [&](od::value& item) -> error_code {
      od::object obj;
      if (auto e = item.get_object().get(obj))
        return e;
      engine::tool_call_assembler::fragment fragment;
      auto e = for_each_field(
        obj, [&](std::string_view k, od::value& f) -> error_code {
          if (k == "index") {
            if (is_null(f))
              return simdjson::SUCCESS;
            std::uint32_t index = 0;
            if (auto ie = read_u32(f, index))
              return ie;
            fragment.index = index;
            return simdjson::SUCCESS;
          }
          if (k == "id")
            return read_string(f, fragment.id);
          if (k != "function" || is_null(f))
            return simdjson::SUCCESS;
          od::object fn;
          if (auto fe = f.get_object().get(fn))
            return fe;
          return for_each_field(
            fn, [&](std::string_view fk, od::value& fv) -> error_code {
              if (fk == "name")
                return read_string(fv, fragment.name);
              if (fk == "arguments")
                return read_string(fv, fragment.arguments);
              return simdjson::SUCCESS;
            });
        });
      if (e)
        return e;
      auto at = calls_.add(fragment);
      if (at.started || !fragment.arguments.empty())
        emit_tool_fragment(calls_, at, fragment.arguments, on_chunk);
      return simdjson::SUCCESS;
    });
  }

  http::sse_parser sse_;
  od::parser parser_;
  padded_copy copy_;
  engine::tool_call_assembler calls_;
  std::string reasoning_;
  bool done_ = false;
  bool saw_finish_ = false;
};

/// `choices[0].message` of a whole completion.
error_code read_message(od::value& v, engine::call_result& result,
                        std::string& reasoning,
                        std::vector<engine::content_part>& calls) {
  od::object msg;
  if (auto e = v.get_object().get(msg))
    return e;
  std::string refusal;
  auto e = for_each_field(
    msg, [&](std::string_view key, od::value& f) -> error_code {
      if (key == "content")
        return read_content(f, result.text);
      if (key == "refusal")
        return read_content(f, refusal);
      if (key == "tool_calls")
        return read_function_calls(f, calls);
      if (is_reasoning_key(key) && reasoning.empty()) {
        std::string_view s;
        if (auto re = read_reasoning(f, s))
          return re;
        reasoning = s;
      }
      return simdjson::SUCCESS;
    });
  // A refusal is the answer the client should see when there is no other.
  if (!e && result.text.empty())
    result.text = std::move(refusal);
  return e;
}

} // namespace

bool openai_format::parse_response(std::string& body,
                                   engine::call_result& result) const {
  thread_local od::parser parser;
  od::document doc;
  od::object root;
  auto e = parser.iterate(pad_in_place(body)).get(doc);
  if (!e)
    e = doc.get_object().get(root);
  if (e)
    return fail_malformed(result, malformed("not a JSON object", e));
  bool saw_choice = false;
  std::string error_message;
  bool has_error = false;
  std::string reasoning;
  std::vector<engine::content_part> calls;
  e = for_each_field(
    root, [&](std::string_view key, od::value& v) -> error_code {
      if (key == "usage")
        return read_usage(v, result);
      if (key == "error" && !is_null(v)) {
        has_error = true;
        return read_error_object(v, error_message);
      }
      if (key != "choices")
        return simdjson::SUCCESS;
      od::array choices;
      if (auto ce = v.get_array().get(choices))
        return ce;
      return for_each_element(choices, [&](od::value& choice) -> error_code {
        if (saw_choice)
          return simdjson::SUCCESS; // n > 1: the first choice is the answer
        saw_choice = true;
        od::object c;
        if (auto ce = choice.get_object().get(c))
          return ce;
        return for_each_field(
          c, [&](std::string_view k, od::value& cv) -> error_code {
            if (k == "finish_reason") {
              std::string_view r;
              if (auto re = read_string(cv, r))
                return re;
              result.finish_reason = normalize_finish_reason(r);
              return simdjson::SUCCESS;
            }
            if (k == "message")
              return read_message(cv, result, reasoning, calls);
            return simdjson::SUCCESS;
          });
      });
    });
  if (e)
    return fail_malformed(result, malformed("unexpected chat completion", e));
  if (has_error) {
    result.error = engine::call_error::server_error;
    result.finish_reason = "error";
    result.error_message = "error in a 200 response: " + error_message;
    return false;
  }
  if (!saw_choice)
    return fail_malformed(result, malformed("no choices", simdjson::SUCCESS));
  if (!reasoning.empty())
    result.content.push_back(make_reasoning(std::move(reasoning), "openai"));
  if (!calls.empty() && result.finish_reason == "stop")
    result.finish_reason = "tool_calls";
  for (auto& c : calls)
    result.content.push_back(std::move(c));
  return true;
}

std::unique_ptr<stream_decoder> openai_format::make_stream_decoder() const {
  return std::make_unique<openai_stream_decoder>();
}

void openai_format::build_models_request(std::string_view base_path,
                                         http::client_request& out) const {
  begin_json_get(out, std::string{base_path} + "/models");
}

bool openai_format::parse_models(std::string& body,
                                 engine::model_listing& out) const {
  return read_model_names(body, {"data", {"id"}, {}}, out);
}

} // namespace switchyard::providers
