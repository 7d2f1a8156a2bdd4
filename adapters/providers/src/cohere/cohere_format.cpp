#include "switchyard/providers/cohere/cohere_format.hpp"

#include "json_support.hpp"
#include "switchyard/http/sse_parser.hpp"

#include <map>

namespace switchyard::providers {

using namespace detail;

void cohere_format::build_request(const engine::call_request& req, bool stream,
                                  std::string_view base_path,
                                  http::client_request& out) const {
  begin_json_post(out, std::string{base_path} + "/chat", stream);
  engine::json_writer w{out.body};
  w.begin_object();
  w.field("model", req.upstream_model);
  w.key("messages");
  write_role_content_messages(w, req.messages);
  if (req.temperature)
    w.field("temperature", *req.temperature);
  if (req.top_p)
    w.field("p", *req.top_p);
  w.field("max_tokens", req.max_tokens);
  if (!req.stop.empty()) {
    w.key("stop_sequences").begin_array();
    for (const auto& s : req.stop)
      w.value(s);
    w.end_array();
  }
  if (!req.tools_json.empty())
    w.key("tools").raw(req.tools_json);
  w.field("stream", stream);
  w.end_object();
}

void cohere_format::authorize(std::string_view key,
                              http::header_list& headers) const {
  headers.push_back({"Authorization", "Bearer " + std::string{key}});
}

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

/// `message: {content: [{type: text, text}], tool_calls: [...]}`; also the
/// stream's `delta.message.content.text` (an object there, not a list).
error_code read_message(od::value& v, std::string& text,
                        std::string& tool_calls) {
  od::object msg;
  if (auto e = v.get_object().get(msg))
    return e;
  return for_each_field(
    msg, [&](std::string_view key, od::value& f) -> error_code {
      if (key == "tool_calls") {
        if (is_null(f))
          return simdjson::SUCCESS;
        std::string_view raw;
        if (auto re = read_raw(f, raw))
          return re;
        tool_calls = raw;
        return simdjson::SUCCESS;
      }
      if (key != "content")
        return simdjson::SUCCESS;
      od::json_type type;
      if (auto te = f.type().get(type))
        return te;
      auto read_text = [&](od::value& block) -> error_code {
        od::object obj;
        if (auto oe = block.get_object().get(obj))
          return oe;
        return for_each_field(
          obj, [&](std::string_view k, od::value& t) -> error_code {
            if (k != "text")
              return simdjson::SUCCESS;
            std::string_view s;
            if (auto se = read_string(t, s))
              return se;
            text += s;
            return simdjson::SUCCESS;
          });
      };
      if (type == od::json_type::array) {
        od::array blocks;
        if (auto ae = f.get_array().get(blocks))
          return ae;
        return for_each_element(blocks, read_text);
      }
      if (type == od::json_type::object)
        return read_text(f);
      return simdjson::SUCCESS;
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
    std::vector<tool_call> calls;
    for (auto& [index, call] : tools_)
      calls.push_back(std::move(call));
    result.tool_calls_json = tool_calls_json(calls);
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
    std::string_view type;
    std::uint32_t index = 0;
    std::string text;
    std::string finish;
    std::string ignored_tools;
    bool usage_seen = false;
    tool_call fragment;
    e = for_each_field(
      root, [&](std::string_view key, od::value& v) -> error_code {
        if (key == "type")
          return read_string(v, type);
        if (key == "index")
          return read_u32(v, index);
        if (key != "delta")
          return simdjson::SUCCESS;
        od::object delta;
        if (auto de = v.get_object().get(delta))
          return de;
        return for_each_field(
          delta, [&](std::string_view dk, od::value& dv) -> error_code {
            if (dk == "finish_reason") {
              std::string_view s;
              if (auto se = read_string(dv, s))
                return se;
              finish = s;
              return simdjson::SUCCESS;
            }
            if (dk == "usage") {
              usage_seen = true;
              return read_usage(dv, result);
            }
            if (dk != "message")
              return simdjson::SUCCESS;
            od::object msg;
            if (auto me = dv.get_object().get(msg))
              return me;
            return for_each_field(
              msg, [&](std::string_view mk, od::value& mv) -> error_code {
                if (mk == "content") {
                  od::json_type t;
                  if (auto te = mv.type().get(t))
                    return te;
                  if (t != od::json_type::object)
                    return simdjson::SUCCESS;
                  od::object content;
                  if (auto ce = mv.get_object().get(content))
                    return ce;
                  return for_each_field(content,
                                        [&](std::string_view ck,
                                            od::value& cv) -> error_code {
                                          if (ck != "text")
                                            return simdjson::SUCCESS;
                                          std::string_view s;
                                          if (auto se = read_string(cv, s))
                                            return se;
                                          text += s;
                                          return simdjson::SUCCESS;
                                        });
                }
                if (mk != "tool_calls")
                  return simdjson::SUCCESS;
                // tool-call-start carries id and name, tool-call-delta pieces
                // of the arguments; message-start has an empty list here.
                od::json_type call_type;
                if (auto te = mv.type().get(call_type))
                  return te;
                if (call_type != od::json_type::object)
                  return simdjson::SUCCESS;
                od::object call;
                if (auto ce = mv.get_object().get(call))
                  return ce;
                return for_each_field(
                  call, [&](std::string_view ck, od::value& cv) -> error_code {
                    std::string_view s;
                    if (ck == "id") {
                      if (auto se = read_string(cv, s))
                        return se;
                      fragment.id = s;
                      return simdjson::SUCCESS;
                    }
                    if (ck != "function")
                      return simdjson::SUCCESS;
                    od::object fn;
                    if (auto fe = cv.get_object().get(fn))
                      return fe;
                    return for_each_field(fn,
                                          [&](std::string_view fk,
                                              od::value& fv) -> error_code {
                                            std::string_view t;
                                            if (fk == "name") {
                                              if (auto te = read_string(fv, t))
                                                return te;
                                              fragment.name = t;
                                            } else if (fk == "arguments") {
                                              if (auto te = read_string(fv, t))
                                                return te;
                                              fragment.arguments = t;
                                            }
                                            return simdjson::SUCCESS;
                                          });
                  });
              });
          });
      });
    if (e)
      return fail_malformed(result, malformed("unexpected stream event", e));
    if (type == "tool-call-start" || type == "tool-call-delta") {
      auto& call = tools_[index];
      if (!fragment.id.empty())
        call.id = fragment.id;
      call.name += fragment.name;
      call.arguments += fragment.arguments;
      return true;
    }
    std::string_view finish_view;
    if (type == "message-end") {
      ended_ = true;
      result.finish_reason = cohere_format::normalize_finish_reason(finish);
      finish_view = result.finish_reason;
      if (finish == "ERROR") {
        result.error = engine::call_error::server_error;
        result.error_message = "the stream ended with finish_reason ERROR";
        return false;
      }
    }
    if (type != "content-delta" && type != "message-end")
      return true;
    result.text += text;
    engine::stream_chunk chunk;
    chunk.delta = text;
    chunk.finish_reason = finish_view;
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
  e = for_each_field(
    root, [&](std::string_view key, od::value& v) -> error_code {
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
      return read_message(v, result.text, result.tool_calls_json);
    });
  if (e)
    return fail_malformed(result, malformed("unexpected chat response", e));
  if (!saw_message)
    return fail_malformed(result, malformed("no message", simdjson::SUCCESS));
  result.finish_reason = normalize_finish_reason(finish);
  return true;
}

std::unique_ptr<stream_decoder> cohere_format::make_stream_decoder() const {
  return std::make_unique<cohere_stream_decoder>();
}

} // namespace switchyard::providers
