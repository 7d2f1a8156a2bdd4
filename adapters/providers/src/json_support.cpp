#include "json_support.hpp"

namespace switchyard::providers::detail {

void begin_json_post(http::client_request& out, std::string target,
                     bool stream, bool ndjson_stream) {
  out.method = "POST";
  out.target = std::move(target);
  out.headers.push_back({"Content-Type", "application/json"});
  if (!ndjson_stream)
    out.headers.push_back(
      {"Accept", stream ? "text/event-stream" : "application/json"});
  out.body.clear();
}

void write_role_content_messages(engine::json_writer& w,
                                 const std::vector<engine::chat_message>& ms) {
  w.begin_array();
  for (const auto& m : ms) {
    w.begin_object();
    w.field("role", m.role);
    w.field("content", m.content);
    w.end_object();
  }
  w.end_array();
}


simdjson::padded_string_view padded_copy::load(std::string_view text) {
  buffer_.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  buffer_.assign(text.data(), text.size());
  return simdjson::padded_string_view{buffer_.data(), buffer_.size(),
                                      buffer_.capacity()};
}

simdjson::padded_string_view pad_in_place(std::string& text) {
  text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view{text.data(), text.size(),
                                      text.capacity()};
}

error_code read_string(od::value& v, std::string_view& out) {
  od::json_type type;
  if (auto e = v.type().get(type))
    return e;
  if (type == od::json_type::null) {
    out = {};
    return simdjson::SUCCESS;
  }
  return v.get_string().get(out);
}

error_code read_u32(od::value& v, std::uint32_t& out) {
  od::json_type type;
  if (auto e = v.type().get(type))
    return e;
  if (type == od::json_type::null) {
    out = 0;
    return simdjson::SUCCESS;
  }
  std::uint64_t n = 0;
  if (auto e = v.get_uint64().get(n))
    return e;
  if (n > 0xFFFFFFFFull)
    return simdjson::NUMBER_OUT_OF_RANGE;
  out = static_cast<std::uint32_t>(n);
  return simdjson::SUCCESS;
}

error_code read_raw(od::value& v, std::string_view& out) {
  od::json_type type;
  if (auto e = v.type().get(type))
    return e;
  if (type == od::json_type::object) {
    od::object obj;
    if (auto e = v.get_object().get(obj))
      return e;
    return obj.raw_json().get(out);
  }
  if (type == od::json_type::array) {
    od::array arr;
    if (auto e = v.get_array().get(arr))
      return e;
    return arr.raw_json().get(out);
  }
  out = v.raw_json_token();
  while (!out.empty()
         && (out.back() == ' ' || out.back() == '\n' || out.back() == '\r'
             || out.back() == '\t'))
    out.remove_suffix(1);
  return simdjson::SUCCESS;
}

bool is_null(od::value& v) {
  od::json_type type;
  if (v.type().get(type))
    return false;
  return type == od::json_type::null;
}

std::string malformed(std::string_view what, error_code e) {
  std::string message = "malformed response body: ";
  message += what;
  if (e != simdjson::SUCCESS) {
    message += " (";
    message += simdjson::error_message(e);
    message += ")";
  }
  return message;
}

bool fail_malformed(engine::call_result& result, std::string message) {
  result.error = engine::call_error::malformed;
  result.finish_reason = "error";
  result.error_message = std::move(message);
  return false;
}

std::string tool_calls_json(const std::vector<tool_call>& calls) {
  if (calls.empty())
    return {};
  std::string out;
  engine::json_writer w{out};
  w.begin_array();
  for (const auto& c : calls) {
    w.begin_object();
    w.field("id", c.id);
    w.field("type", "function");
    w.key("function").begin_object();
    w.field("name", c.name);
    w.field("arguments", c.arguments.empty() ? std::string_view{"{}"}
                                             : std::string_view{c.arguments});
    w.end_object();
    w.end_object();
  }
  w.end_array();
  return out;
}

bool parse_openai_tools(std::string_view tools_json,
                        std::vector<tool_spec>& out) {
  od::parser parser;
  padded_copy copy;
  od::document doc;
  if (parser.iterate(copy.load(tools_json)).get(doc))
    return false;
  od::array arr;
  if (doc.get_array().get(arr))
    return false;
  auto e = for_each_element(arr, [&](od::value& tool) -> error_code {
    od::object obj;
    if (auto err = tool.get_object().get(obj))
      return err;
    tool_spec spec;
    spec.parameters = "{}";
    auto err = for_each_field(
      obj, [&](std::string_view key, od::value& v) -> error_code {
        if (key != "function")
          return simdjson::SUCCESS;
        od::object fn;
        if (auto fe = v.get_object().get(fn))
          return fe;
        return for_each_field(
          fn, [&](std::string_view k, od::value& fv) -> error_code {
            std::string_view text;
            if (k == "name") {
              if (auto se = read_string(fv, text))
                return se;
              spec.name = text;
            } else if (k == "description") {
              if (auto se = read_string(fv, text))
                return se;
              spec.description = text;
            } else if (k == "parameters") {
              if (auto se = read_raw(fv, text))
                return se;
              spec.parameters = text;
            }
            return simdjson::SUCCESS;
          });
      });
    if (err)
      return err;
    if (spec.name.empty())
      return simdjson::INCORRECT_TYPE;
    out.push_back(std::move(spec));
    return simdjson::SUCCESS;
  });
  return e == simdjson::SUCCESS;
}

std::string join_role(const std::vector<engine::chat_message>& messages,
                      std::string_view role) {
  std::string out;
  for (const auto& m : messages) {
    if (m.role != role)
      continue;
    if (!out.empty())
      out += "\n\n";
    out += m.content;
  }
  return out;
}

} // namespace switchyard::providers::detail
