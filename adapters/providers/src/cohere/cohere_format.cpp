#include "switchyard/providers/cohere/cohere_format.hpp"

#include "json_support.hpp"
#include "model_listing_support.hpp"
#include "switchyard/http/sse_parser.hpp"

#include <optional>

namespace switchyard::providers {

using namespace detail;

std::string_view
cohere_format::normalize_finish_reason(std::string_view reason) noexcept {
  if (reason == "MAX_TOKENS")
    return "length";
  if (reason == "TOOL_CALL")
    return "tool_calls";
  if (reason == "ERROR_TOXIC")
    return "content_filter";
  if (reason == "ERROR")
    return "error";
  return "stop";
}

namespace {

/// `usage: {billed_units: {...}, tokens: {...}}`: billed units win.
error_code read_usage(od::value& v, engine::call_result& result) {
  od::object usage;
  if (auto e = v.get_object().get(usage))
    return e;
  std::uint32_t billed_in = 0;
  std::uint32_t billed_out = 0;
  std::uint32_t tokens_in = 0;
  std::uint32_t tokens_out = 0;
  bool billed = false;
  auto e = for_each_field(
    usage, [&](std::string_view key, od::value& part) -> error_code {
      bool is_billed = key == "billed_units";
      if (!is_billed && key != "tokens")
        return simdjson::SUCCESS;
      od::object counts;
      if (auto ce = part.get_object().get(counts))
        return ce;
      billed = billed || is_billed;
      return for_each_field(
        counts, [&](std::string_view k, od::value& n) -> error_code {
          if (k == "input_tokens")
            return read_u32(n, is_billed ? billed_in : tokens_in);
          if (k == "output_tokens")
            return read_u32(n, is_billed ? billed_out : tokens_out);
          return simdjson::SUCCESS;
        });
    });
  if (e)
    return e;
  result.input_tokens = billed ? billed_in : tokens_in;
  result.output_tokens = billed ? billed_out : tokens_out;
  return simdjson::SUCCESS;
}

/// The answer's parts as chat v2 spells them. `tool_plan` (what the model
/// means to do before its calls) and `thinking` content are reasoning.
struct cohere_message {
  std::string thinking;
  std::string plan;
  std::vector<engine::content_part> calls;
};

/// One content block, `{type: text, text}` or `{type: thinking,
/// thinking}`: a list of them in a whole message, one in a stream delta.
error_code read_block(od::value& v, std::string_view& text,
                      std::string_view& thinking) {
  od::object obj;
  if (auto e = v.get_object().get(obj))
    return e;
  return for_each_field(obj,
                        [&](std::string_view k, od::value& f) -> error_code {
                          if (k == "text")
                            return read_string(f, text);
                          if (k == "thinking")
                            return read_string(f, thinking);
                          return simdjson::SUCCESS;
                        });
}

/// `message: {content: [...], tool_plan, tool_calls: [...]}`.
error_code read_message(od::value& v, std::string& text, cohere_message& out) {
  od::object msg;
  if (auto e = v.get_object().get(msg))
    return e;
  return for_each_field(
    msg, [&](std::string_view key, od::value& f) -> error_code {
      if (key == "tool_calls")
        return read_function_calls(f, out.calls);
      if (key == "tool_plan") {
        std::string_view s;
        if (auto e = read_string(f, s))
          return e;
        out.plan += s;
        return simdjson::SUCCESS;
      }
      if (key != "content" || is_null(f))
        return simdjson::SUCCESS;
      od::array blocks;
      if (auto e = f.get_array().get(blocks))
        return e;
      return for_each_element(blocks, [&](od::value& block) -> error_code {
        std::string_view t;
        std::string_view th;
        if (auto e = read_block(block, t, th))
          return e;
        text += t;
        out.thinking += th;
        return simdjson::SUCCESS;
      });
    });
}

/// Reasoning first (thinking, then the plan), then the calls.
void append_content(cohere_message& m, engine::call_result& result) {
  if (!m.thinking.empty())
    result.content.push_back(make_reasoning(std::move(m.thinking), "cohere"));
  if (!m.plan.empty())
    result.content.push_back(make_reasoning(std::move(m.plan), "cohere"));
  for (auto& c : m.calls)
    result.content.push_back(std::move(c));
}

/// What one stream event says; the views point into the parsed event.
struct cohere_event {
  std::string_view type;
  std::optional<std::uint32_t> index;
  std::string_view text;
  std::string_view thinking;
  std::string_view plan;
  engine::tool_call_assembler::fragment call;
  std::string_view finish;
  bool usage_seen = false;
};

/// `delta.message.tool_calls`: an object in tool-call-start (id, name,
/// maybe the first arguments) and tool-call-delta (an arguments piece); an
/// empty list in message-start.
error_code read_call_fragment(od::value& v, cohere_event& ev) {
  od::json_type type;
  if (auto e = v.type().get(type))
    return e;
  if (type != od::json_type::object)
    return simdjson::SUCCESS;
  od::object call;
  if (auto e = v.get_object().get(call))
    return e;
  return for_each_field(
    call, [&](std::string_view k, od::value& f) -> error_code {
      if (k == "id")
        return read_string(f, ev.call.id);
      if (k != "function" || is_null(f))
        return simdjson::SUCCESS;
      od::object fn;
      if (auto e = f.get_object().get(fn))
        return e;
      return for_each_field(
        fn, [&](std::string_view fk, od::value& fv) -> error_code {
          if (fk == "name")
            return read_string(fv, ev.call.name);
          if (fk == "arguments")
            return read_string(fv, ev.call.arguments);
          return simdjson::SUCCESS;
        });
    });
}

error_code read_delta(od::value& v, cohere_event& ev,
                      engine::call_result& result) {
  od::object delta;
  if (auto e = v.get_object().get(delta))
    return e;
  return for_each_field(
    delta, [&](std::string_view key, od::value& f) -> error_code {
      if (key == "finish_reason")
        return read_string(f, ev.finish);
      if (key == "usage") {
        ev.usage_seen = true;
        return read_usage(f, result);
      }
      if (key != "message")
        return simdjson::SUCCESS;
      od::object msg;
      if (auto e = f.get_object().get(msg))
        return e;
      return for_each_field(
        msg, [&](std::string_view mk, od::value& mv) -> error_code {
          if (mk == "tool_plan")
            return read_string(mv, ev.plan);
          if (mk == "tool_calls")
            return read_call_fragment(mv, ev);
          if (mk != "content")
            return simdjson::SUCCESS;
          od::json_type t;
          if (auto e = mv.type().get(t))
            return e;
          if (t != od::json_type::object)
            return simdjson::SUCCESS;
          return read_block(mv, ev.text, ev.thinking);
        });
    });
}

class cohere_stream_decoder final : public stream_decoder {
 public:
  bool feed(std::string_view bytes, const chunk_callback& on_chunk,
            engine::call_result& result) override {
    sse_.feed(bytes);
    http::sse_event event;
    while (sse_.next(event))
      if (!ended_ && !on_event(event.data, on_chunk, result))
        return false;
    if (sse_.overflowed())
      return fail_malformed(result, "malformed stream: an event exceeds the "
                                    "size limit");
    return true;
  }

  bool finish(engine::call_result& result) override {
    message_.calls = calls_.take();
    append_content(message_, result);
    return ended_;
  }

 private:
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
    cohere_event ev;
    e = for_each_field(root,
                       [&](std::string_view key, od::value& v) -> error_code {
                         if (key == "type")
                           return read_string(v, ev.type);
                         if (key == "index") {
                           std::uint32_t index = 0;
                           if (auto ie = read_u32(v, index))
                             return ie;
                           ev.index = index;
                           return simdjson::SUCCESS;
                         }
                         if (key == "delta")
                           return read_delta(v, ev, result);
                         return simdjson::SUCCESS;
                       });
    if (e)
      return fail_malformed(result, malformed("unexpected stream event", e));
    engine::stream_chunk chunk;
    if (ev.type == "content-start" || ev.type == "content-delta") {
      result.text += ev.text;
      message_.thinking += ev.thinking;
      chunk.delta = ev.text;
      chunk.reasoning = ev.thinking;
    } else if (ev.type == "tool-plan-delta") {
      message_.plan += ev.plan;
      chunk.reasoning = ev.plan;
    } else if (ev.type == "tool-call-start" || ev.type == "tool-call-delta") {
      // Cohere numbers its calls; the index places each fragment.
      ev.call.index = ev.index;
      auto at = calls_.add(ev.call);
      if (at.started || !ev.call.arguments.empty())
        emit_tool_fragment(calls_, at, ev.call.arguments, on_chunk);
      return true;
    } else if (ev.type == "message-end") {
      ended_ = true;
      result.finish_reason = cohere_format::normalize_finish_reason(ev.finish);
      if (ev.finish == "ERROR") {
        result.error = engine::call_error::server_error;
        result.error_message = "the stream ended with finish_reason ERROR";
        return false;
      }
      if (!calls_.empty() && result.finish_reason == "stop")
        result.finish_reason = "tool_calls";
      chunk.finish_reason = result.finish_reason;
      if (ev.usage_seen) {
        chunk.input_tokens = result.input_tokens;
        chunk.output_tokens = result.output_tokens;
      }
    }
    bool says_something = !chunk.delta.empty() || !chunk.reasoning.empty()
                          || !chunk.finish_reason.empty();
    if (says_something && on_chunk)
      on_chunk(chunk);
    return true;
  }

  http::sse_parser sse_;
  od::parser parser_;
  padded_copy copy_;
  engine::tool_call_assembler calls_;
  cohere_message message_;
  bool ended_ = false;
};

} // namespace

bool cohere_format::parse_response(std::string& body,
                                   engine::call_result& result) const {
  thread_local od::parser parser;
  od::document doc;
  od::object root;
  auto e = parser.iterate(pad_in_place(body)).get(doc);
  if (!e)
    e = doc.get_object().get(root);
  if (e)
    return fail_malformed(result, malformed("not a JSON object", e));
  bool saw_message = false;
  std::string finish;
  cohere_message message;
  e = for_each_field(root,
                     [&](std::string_view key, od::value& v) -> error_code {
                       if (key == "usage")
                         return read_usage(v, result);
                       if (key == "finish_reason") {
                         std::string_view s;
                         if (auto se = read_string(v, s))
                           return se;
                         finish = s;
                         return simdjson::SUCCESS;
                       }
                       if (key != "message")
                         return simdjson::SUCCESS;
                       saw_message = true;
                       return read_message(v, result.text, message);
                     });
  if (e)
    return fail_malformed(result, malformed("unexpected chat response", e));
  if (!saw_message)
    return fail_malformed(result, malformed("no message", simdjson::SUCCESS));
  result.finish_reason = normalize_finish_reason(finish);
  if (!message.calls.empty() && result.finish_reason == "stop")
    result.finish_reason = "tool_calls";
  append_content(message, result);
  return true;
}

std::unique_ptr<stream_decoder> cohere_format::make_stream_decoder() const {
  return std::make_unique<cohere_stream_decoder>();
}

void cohere_format::build_models_request(std::string_view base_path,
                                         http::client_request& out) const {
  // The listing is on v1 even for v2 chat: the base's trailing /v2 (where
  // chat lives) becomes /v1. A base without it is taken as the API root.
  constexpr std::string_view chat_version = "/v2";
  if (base_path.ends_with(chat_version))
    base_path.remove_suffix(chat_version.size());
  // Only the models chat serves, in one page (the default is 20).
  begin_json_get(out, std::string{base_path}
                        + "/v1/models?endpoint=chat&page_size=1000");
}

bool cohere_format::parse_models(std::string& body,
                                 engine::model_listing& out) const {
  return read_model_names(body, {"models", {"name"}, {}}, out);
}

} // namespace switchyard::providers
