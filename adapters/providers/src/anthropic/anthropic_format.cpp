#include "switchyard/providers/anthropic/anthropic_format.hpp"

#include "json_support.hpp"
#include "switchyard/http/sse_parser.hpp"

#include <map>

namespace switchyard::providers {

using namespace detail;

void anthropic_format::build_request(const engine::call_request& req,
                                     bool stream, std::string_view base_path,
                                     http::client_request& out) const {
  begin_json_post(out, std::string{base_path} + "/v1/messages", stream);
  out.headers.push_back({"anthropic-version", std::string{api_version}});
  engine::json_writer w{out.body};
  w.begin_object();
  w.field("model", req.upstream_model);
  w.field("max_tokens", req.max_tokens);
  auto system = join_role(req.messages, "system");
  if (!system.empty())
    w.field("system", system);
  w.key("messages").begin_array();
  for (const auto& m : req.messages) {
    if (m.role == "system")
      continue;
    w.begin_object();
    // Tool results travel as user turns: a chat_message carries no
    // tool_use_id to build a tool_result block from.
    w.field("role", m.role == "assistant" ? "assistant" : "user");
    w.field("content", m.content);
    w.end_object();
  }
  w.end_array();
  if (req.temperature)
    w.field("temperature", *req.temperature);
  if (req.top_p)
    w.field("top_p", *req.top_p);
  if (!req.stop.empty()) {
    w.key("stop_sequences").begin_array();
    for (const auto& s : req.stop)
      w.value(s);
    w.end_array();
  }
  std::vector<tool_spec> tools;
  if (!req.tools_json.empty() && parse_openai_tools(req.tools_json, tools)
      && !tools.empty()) {
    w.key("tools").begin_array();
    for (const auto& t : tools) {
      w.begin_object();
      w.field("name", t.name);
      if (!t.description.empty())
        w.field("description", t.description);
      w.key("input_schema").raw(t.parameters);
      w.end_object();
    }
    w.end_array();
  }
  if (stream)
    w.field("stream", true);
  w.end_object();
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

error_code read_usage(od::value& v, engine::call_result& result) {
  od::object usage;
  if (auto e = v.get_object().get(usage))
    return e;
  return for_each_field(usage,
                        [&](std::string_view key, od::value& n) -> error_code {
                          if (key == "input_tokens")
                            return read_u32(n, result.input_tokens);
                          if (key == "output_tokens")
                            return read_u32(n, result.output_tokens);
                          return simdjson::SUCCESS;
                        });
}

/// One `content` block: text, or a tool_use turned into an OpenAI tool call.
error_code read_block(od::value& v, std::string& text,
                      std::vector<tool_call>& tools) {
  od::object block;
  if (auto e = v.get_object().get(block))
    return e;
  std::string_view type;
  std::string_view block_text;
  tool_call call;
  auto e = for_each_field(
    block, [&](std::string_view key, od::value& f) -> error_code {
      std::string_view s;
      if (key == "type")
        return read_string(f, type);
      if (key == "text")
        return read_string(f, block_text);
      if (key == "id") {
        if (auto se = read_string(f, s))
          return se;
        call.id = s;
      } else if (key == "name") {
        if (auto se = read_string(f, s))
          return se;
        call.name = s;
      } else if (key == "input") {
        if (auto se = read_raw(f, s))
          return se;
        call.arguments = s;
      }
      return simdjson::SUCCESS;
    });
  if (e)
    return e;
  // `type` may come after `text`: the views stay valid for the document.
  if (type == "text")
    text += block_text;
  else if (type == "tool_use")
    tools.push_back(std::move(call));
  return simdjson::SUCCESS;
}

error_code read_error(od::value& v, std::string& type, std::string& message) {
  od::object obj;
  if (auto e = v.get_object().get(obj))
    return e;
  return for_each_field(obj,
                        [&](std::string_view key, od::value& f) -> error_code {
                          std::string_view s;
                          if (key == "type") {
                            if (auto se = read_string(f, s))
                              return se;
                            type = s;
                          } else if (key == "message") {
                            if (auto se = read_string(f, s))
                              return se;
                            message = s;
                          }
                          return simdjson::SUCCESS;
                        });
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
    std::vector<tool_call> calls;
    for (auto& [index, call] : tools_)
      calls.push_back(std::move(call));
    result.tool_calls_json = tool_calls_json(calls);
    return stopped_;
  }

 private:
  /// The `type` inside the data is authoritative; the SSE `event:` line
  /// repeats it.
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
    std::string_view type;
    std::string text;
    std::string partial_json;
    std::string stop_reason;
    std::string error_type;
    std::string error_message;
    std::uint32_t index = 0;
    bool usage_seen = false;
    tool_call block_tool;
    std::string_view block_type;
    e = for_each_field(
      root, [&](std::string_view key, od::value& v) -> error_code {
        if (key == "type")
          return read_string(v, type);
        if (key == "index")
          return read_u32(v, index);
        if (key == "error")
          return read_error(v, error_type, error_message);
        if (key == "usage") {
          usage_seen = true;
          return read_usage(v, result);
        }
        if (key == "message") {
          // message_start: the input usage (and a first output count).
          od::object msg;
          if (auto me = v.get_object().get(msg))
            return me;
          return for_each_field(
            msg, [&](std::string_view mk, od::value& mv) -> error_code {
              if (mk == "usage") {
                usage_seen = true;
                return read_usage(mv, result);
              }
              return simdjson::SUCCESS;
            });
        }
        if (key == "content_block") {
          od::object block;
          if (auto be = v.get_object().get(block))
            return be;
          return for_each_field(
            block, [&](std::string_view bk, od::value& bv) -> error_code {
              std::string_view s;
              if (bk == "type")
                return read_string(bv, block_type);
              if (bk == "id") {
                if (auto se = read_string(bv, s))
                  return se;
                block_tool.id = s;
              } else if (bk == "name") {
                if (auto se = read_string(bv, s))
                  return se;
                block_tool.name = s;
              }
              return simdjson::SUCCESS;
            });
        }
        if (key == "delta") {
          od::object delta;
          if (auto de = v.get_object().get(delta))
            return de;
          return for_each_field(
            delta, [&](std::string_view dk, od::value& dv) -> error_code {
              std::string_view s;
              if (dk == "text") {
                if (auto se = read_string(dv, s))
                  return se;
                text += s;
              } else if (dk == "partial_json") {
                if (auto se = read_string(dv, s))
                  return se;
                partial_json += s;
              } else if (dk == "stop_reason") {
                if (auto se = read_string(dv, s))
                  return se;
                stop_reason = s;
              }
              return simdjson::SUCCESS;
            });
        }
        return simdjson::SUCCESS;
      });
    if (e)
      return fail_malformed(result, malformed("unexpected stream event", e));
    if (type == "error") {
      result.error = anthropic_format::classify_error_type(error_type);
      result.finish_reason = "error";
      result.error_message = "error event in stream: " + error_type + ": "
                             + error_message;
      return false;
    }
    if (type == "message_stop") {
      stopped_ = true;
      return true;
    }
    if (type == "content_block_start" && block_type == "tool_use") {
      tools_[index] = std::move(block_tool);
      return true;
    }
    if (type == "content_block_delta" && !partial_json.empty()) {
      tools_[index].arguments += partial_json;
      return true;
    }
    std::string_view finish;
    if (type == "message_delta" && !stop_reason.empty()) {
      result.finish_reason
        = anthropic_format::normalize_stop_reason(stop_reason);
      finish = result.finish_reason;
    }
    if (text.empty() && finish.empty() && !usage_seen)
      return true; // ping, content_block_stop, ...
    result.text += text;
    engine::stream_chunk chunk;
    chunk.delta = text;
    chunk.finish_reason = finish;
    if (usage_seen) {
      chunk.input_tokens = result.input_tokens;
      chunk.output_tokens = result.output_tokens;
    }
    if (on_chunk)
      on_chunk(chunk);
    return true;
  }

  http::sse_parser sse_;
  od::parser parser_;
  padded_copy copy_;
  std::map<std::uint32_t, tool_call> tools_;
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
  std::vector<tool_call> tools;
  std::string_view type;
  bool saw_content = false;
  e = for_each_field(
    root, [&](std::string_view key, od::value& v) -> error_code {
      if (key == "type")
        return read_string(v, type);
      if (key == "usage")
        return read_usage(v, result);
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
      return for_each_element(blocks, [&](od::value& block) -> error_code {
        return read_block(block, result.text, tools);
      });
    });
  if (e)
    return fail_malformed(result, malformed("unexpected message", e));
  if (type != "message" || !saw_content)
    return fail_malformed(result,
                          malformed("not a message (no type 'message' with "
                                    "content)",
                                    simdjson::SUCCESS));
  result.tool_calls_json = tool_calls_json(tools);
  return true;
}

std::unique_ptr<stream_decoder> anthropic_format::make_stream_decoder() const {
  return std::make_unique<anthropic_stream_decoder>();
}

} // namespace switchyard::providers
