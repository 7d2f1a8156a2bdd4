#include "switchyard/providers/openai/openai_format.hpp"

#include "json_support.hpp"
#include "switchyard/http/sse_parser.hpp"

#include <map>

namespace switchyard::providers {

using namespace detail;

void openai_format::build_request(const engine::call_request& req, bool stream,
                                  std::string_view base_path,
                                  http::client_request& out) const {
  begin_json_post(out, std::string{base_path} + "/chat/completions", stream);
  engine::json_writer w{out.body};
  w.begin_object();
  w.field("model", req.upstream_model);
  w.key("messages");
  write_role_content_messages(w, req.messages);
  if (req.temperature)
    w.field("temperature", *req.temperature);
  if (req.top_p)
    w.field("top_p", *req.top_p);
  w.field(uses_max_completion_tokens(req.upstream_model)
            ? "max_completion_tokens"
            : "max_tokens",
          req.max_tokens);
  if (!req.stop.empty()) {
    w.key("stop").begin_array();
    for (const auto& s : req.stop)
      w.value(s);
    w.end_array();
  }
  if (!req.tools_json.empty())
    w.key("tools").raw(req.tools_json);
  if (stream) {
    w.field("stream", true);
    w.key("stream_options").begin_object();
    w.field("include_usage", true);
    w.end_object();
  }
  w.end_object();
}

void openai_format::authorize(std::string_view key,
                              http::header_list& headers) const {
  headers.push_back({"Authorization", "Bearer " + std::string{key}});
}

std::string_view
openai_format::normalize_finish_reason(std::string_view reason) noexcept {
  if (reason == "function_call")
    return "tool_calls";
  if (reason.empty())
    return "stop";
  return reason;
}

bool openai_format::uses_max_completion_tokens(
  std::string_view model) noexcept {
  auto starts = [&](std::string_view p) {
    return model.substr(0, p.size()) == p;
  };
  return starts("o1") || starts("o3") || starts("o4") || starts("gpt-5");
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
    std::vector<tool_call> calls;
    for (auto& [index, call] : tools_)
      calls.push_back(std::move(call));
    result.tool_calls_json = tool_calls_json(calls);
    if (!saw_finish_ && done_)
      result.finish_reason = "stop";
    return done_;
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
    std::string delta_text;
    std::string finish;
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
              if (k != "delta")
                return simdjson::SUCCESS;
              od::object delta;
              if (auto de = cv.get_object().get(delta))
                return de;
              return for_each_field(
                delta, [&](std::string_view dk, od::value& dv) -> error_code {
                  if (dk == "content") {
                    std::string_view text;
                    if (auto te = read_string(dv, text))
                      return te;
                    delta_text += text;
                    return simdjson::SUCCESS;
                  }
                  if (dk == "tool_calls" && !is_null(dv))
                    return read_tool_deltas(dv);
                  return simdjson::SUCCESS;
                });
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
      result.finish_reason = finish;
    }
    if (!delta_text.empty() || !finish.empty() || has_usage) {
      result.text += delta_text;
      engine::stream_chunk chunk;
      chunk.delta = delta_text;
      chunk.finish_reason = finish.empty()
                              ? std::string_view{}
                              : std::string_view{result.finish_reason};
      if (has_usage) {
        chunk.input_tokens = result.input_tokens;
        chunk.output_tokens = result.output_tokens;
      }
      if (on_chunk)
        on_chunk(chunk);
    }
    return true;
  }

  error_code read_tool_deltas(od::value& v) {
    od::array arr;
    if (auto e = v.get_array().get(arr))
      return e;
    return for_each_element(arr, [&](od::value& item) -> error_code {
      od::object obj;
      if (auto e = item.get_object().get(obj))
        return e;
      std::uint32_t index = 0;
      tool_call fragment;
      auto e = for_each_field(
        obj, [&](std::string_view k, od::value& f) -> error_code {
          std::string_view s;
          if (k == "index")
            return read_u32(f, index);
          if (k == "id") {
            if (auto se = read_string(f, s))
              return se;
            fragment.id = s;
            return simdjson::SUCCESS;
          }
          if (k != "function")
            return simdjson::SUCCESS;
          od::object fn;
          if (auto fe = f.get_object().get(fn))
            return fe;
          return for_each_field(
            fn, [&](std::string_view fk, od::value& fv) -> error_code {
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
      if (e)
        return e;
      auto& call = tools_[index];
      if (!fragment.id.empty())
        call.id = fragment.id;
      call.name += fragment.name;
      call.arguments += fragment.arguments;
      return simdjson::SUCCESS;
    });
  }

  http::sse_parser sse_;
  od::parser parser_;
  padded_copy copy_;
  std::map<std::uint32_t, tool_call> tools_;
  bool done_ = false;
  bool saw_finish_ = false;
};

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
            if (k != "message")
              return simdjson::SUCCESS;
            od::object msg;
            if (auto me = cv.get_object().get(msg))
              return me;
            return for_each_field(
              msg, [&](std::string_view mk, od::value& mv) -> error_code {
                if (mk == "content") {
                  std::string_view text;
                  if (auto te = read_string(mv, text))
                    return te;
                  result.text = text;
                } else if (mk == "tool_calls" && !is_null(mv)) {
                  std::string_view raw;
                  if (auto re = read_raw(mv, raw))
                    return re;
                  result.tool_calls_json = raw;
                }
                return simdjson::SUCCESS;
              });
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
  return true;
}

std::unique_ptr<stream_decoder> openai_format::make_stream_decoder() const {
  return std::make_unique<openai_stream_decoder>();
}

} // namespace switchyard::providers
