#include "json_support.hpp"

#include <algorithm>

namespace switchyard::providers::detail {

void begin_json_post(http::client_request& out, std::string target, bool stream,
                     bool ndjson_stream) {
  out.method = "POST";
  out.target = std::move(target);
  out.headers.push_back({"Content-Type", "application/json"});
  if (!ndjson_stream)
    out.headers.push_back(
      {"Accept", stream ? "text/event-stream" : "application/json"});
  out.body.clear();
}

simdjson::padded_string_view padded_copy::load(std::string_view text) {
  buffer_.assign(text.data(), text.size());
  return pad_in_place(buffer_);
}

simdjson::padded_string_view pad_in_place(std::string& text) {
  // The padding is written, not only reserved: simdjson reads it with
  // vector loads, and memory checkers flag bytes never written.
  auto size = text.size();
  text.append(simdjson::SIMDJSON_PADDING, '\0');
  text.resize(size);
  return simdjson::padded_string_view{text.data(), text.size(),
                                      text.capacity()};
}

error_code read_string(od::value& v, std::string_view& out) {
  out = {};
  return is_null(v) ? simdjson::SUCCESS : v.get_string().get(out);
}

error_code read_response_model(od::value& v, engine::call_result& result) {
  if (!result.response_model.empty())
    return simdjson::SUCCESS;
  std::string_view model;
  auto e = read_string(v, model);
  result.response_model = model;
  return e;
}

error_code read_string_fields(od::value& v, string_fields fields) {
  return read_string_fields(v, fields, [](std::string_view, od::value&) {
    return simdjson::SUCCESS;
  });
}

error_code read_finish_reason(od::value& v, engine::call_result& result,
                              std::string_view (*normalize)(std::string_view)) {
  std::string_view reason;
  auto e = read_string(v, reason);
  result.finish_reason = normalize(reason);
  return e;
}

error_code read_string_only(od::value& v, std::string_view& out) {
  return is_type(v, od::json_type::string) ? v.get_string().get(out)
                                           : simdjson::SUCCESS;
}

error_code read_error_message(od::value& error, std::string_view& message) {
  if (!is_type(error, od::json_type::object))
    return read_string_only(error, message);
  return for_each_field(error, [&](std::string_view key, od::value& v) {
    return key == "message" ? read_string_only(v, message) : simdjson::SUCCESS;
  });
}

error_code read_u32(od::value& v, std::uint32_t& out) {
  out = 0;
  std::uint64_t n = 0;
  if (is_null(v))
    return simdjson::SUCCESS;
  if (auto e = v.get_uint64().get(n))
    return e;
  if (n > 0xFFFFFFFFull)
    return simdjson::NUMBER_OUT_OF_RANGE;
  out = static_cast<std::uint32_t>(n);
  return simdjson::SUCCESS;
}

error_code read_raw(od::value& v, std::string_view& out) {
  // Objects and arrays whole; a scalar is its token, without the white
  // space after it.
  if (is_type(v, od::json_type::object)) {
    od::object obj;
    auto e = v.get_object().get(obj);
    return e ? e : obj.raw_json().get(out);
  }
  if (is_type(v, od::json_type::array)) {
    od::array arr;
    auto e = v.get_array().get(arr);
    return e ? e : arr.raw_json().get(out);
  }
  out = v.raw_json_token();
  while (!out.empty()
         && (out.back() == ' ' || out.back() == '\n' || out.back() == '\r'
             || out.back() == '\t'))
    out.remove_suffix(1);
  return simdjson::SUCCESS;
}

bool is_type(od::value& v, od::json_type type) {
  od::json_type actual;
  return !v.type().get(actual) && actual == type;
}

bool is_null(od::value& v) {
  return is_type(v, od::json_type::null);
}

std::string malformed(std::string_view what, error_code e,
                      std::string_view subject) {
  std::string message = "malformed ";
  message += subject;
  message += ": ";
  message += what;
  if (e != simdjson::SUCCESS) {
    message += " (";
    message += simdjson::error_message(e);
    message += ")";
  }
  return message;
}

bool fail_malformed(engine::call_result& result, std::string message) {
  return fail_upstream(result, engine::call_error::malformed,
                       std::move(message));
}

bool fail_upstream(engine::call_result& result, engine::call_error error,
                   std::string message) {
  result.error = error;
  result.finish_reason = "error";
  result.error_message = std::move(message);
  return false;
}

bool settle_read(error_code e, std::string_view what,
                 engine::call_result& result) {
  if (!result.ok())
    return false;
  if (e)
    return fail_malformed(result, malformed(what, e));
  return true;
}

std::string
join_instructions(const std::vector<engine::chat_message>& messages) {
  std::string out;
  for (const auto& m : messages) {
    if (!m.is_instruction())
      continue;
    if (!out.empty())
      out += "\n\n";
    out += m.text();
  }
  return out;
}

} // namespace switchyard::providers::detail

namespace switchyard::providers::detail {

// -- writing requests ---------------------------------------------------------

std::string cannot_express(std::string_view field, std::string_view provider,
                           std::string_view hint) {
  std::string out{field};
  out += " cannot be sent to ";
  out += provider;
  if (!hint.empty()) {
    out += ": ";
    out += hint;
  }
  return out;
}

namespace {

/// "an image", "a tool_call", "an assistant", "a user".
std::string with_article(std::string_view word) {
  bool vowel = !word.empty()
               && std::string_view{"aeio"}.find(word[0])
                    != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string{word};
}

} // namespace

std::string misplaced_part(std::size_t index, engine::message_role role,
                           engine::part_kind kind, std::string_view provider) {
  return "messages[" + std::to_string(index)
         + "]: " + with_article(engine::to_string(kind)) + " part in "
         + with_article(engine::to_string(role)) + " message cannot be sent to "
         + std::string{provider};
}

bool openai_style_part_fits(engine::message_role role,
                            engine::part_kind kind) noexcept {
  switch (kind) {
    case engine::part_kind::text:
    case engine::part_kind::reasoning:
      return true;
    case engine::part_kind::image:
      return role == engine::message_role::user;
    case engine::part_kind::tool_call:
      return role == engine::message_role::assistant;
    default:
      return false;
  }
}

void write_openai_tool_calls(engine::json_writer& w,
                             const engine::chat_message& m) {
  w.key("tool_calls").begin_array();
  for (const auto& p : m.parts) {
    if (p.kind != engine::part_kind::tool_call)
      continue;
    w.begin_object();
    w.field("id", p.id);
    w.field("type", "function");
    w.key("function").begin_object();
    w.field("name", p.name);
    w.field("arguments", p.arguments.empty() ? std::string_view{"{}"}
                                             : std::string_view{p.arguments});
    w.end_object();
    w.end_object();
  }
  w.end_array();
}

bool is_json_object(std::string_view text) {
  // The DOM parser validates the whole text; On-Demand would not.
  thread_local simdjson::dom::parser parser;
  thread_local padded_copy copy;
  simdjson::dom::element doc;
  if (parser.parse(copy.load(text)).get(doc))
    return false;
  return doc.type() == simdjson::dom::element_type::OBJECT;
}

std::string_view arguments_object(const engine::content_part& call) {
  if (call.arguments.empty())
    return "{}";
  if (!is_json_object(call.arguments))
    return {};
  return call.arguments;
}

std::string bad_arguments(const engine::content_part& call) {
  return "tool_call arguments of call '" + call.id + "' (" + call.name
         + ") are not a JSON object";
}

bool is_signed(const engine::content_part& reasoning) noexcept {
  return !reasoning.signature.empty() || reasoning.redacted;
}

std::string joined_text(const std::vector<engine::content_part>& parts) {
  std::string out;
  bool first = true;
  for (const auto& p : parts) {
    if (p.kind != engine::part_kind::text)
      continue;
    if (!first)
      out.push_back('\n');
    first = false;
    out += p.text;
  }
  return out;
}

std::string tool_result_text(const engine::content_part& result) {
  auto text = joined_text(result.content);
  if (result.is_error)
    text.insert(0, tool_error_prefix);
  return text;
}

void write_tool_result_content(engine::json_writer& w,
                               const engine::content_part& result) {
  std::size_t texts = 0;
  for (const auto& c : result.content)
    texts += c.kind == engine::part_kind::text;
  if (texts <= 1) {
    w.value(tool_result_text(result));
    return;
  }
  w.begin_array();
  bool first = true;
  for (const auto& c : result.content) {
    if (c.kind != engine::part_kind::text)
      continue;
    w.begin_object();
    w.field("type", "text");
    if (first && result.is_error)
      w.field("text", std::string{tool_error_prefix} + c.text);
    else
      w.field("text", c.text);
    first = false;
    w.end_object();
  }
  w.end_array();
}

bool split_data_url(std::string_view url, std::string_view& media_type,
                    std::string_view& data) {
  constexpr std::string_view scheme = "data:";
  constexpr std::string_view marker = ";base64,";
  if (url.substr(0, scheme.size()) != scheme)
    return false;
  auto at = url.find(marker);
  if (at == std::string_view::npos)
    return false;
  media_type = url.substr(scheme.size(), at - scheme.size());
  data = url.substr(at + marker.size());
  return true;
}

void write_image_url(engine::json_writer& w,
                     const engine::content_part& image) {
  if (!image.url.empty()) {
    w.value(image.url);
    return;
  }
  std::string url;
  url.reserve(image.media_type.size() + image.data.size() + 13);
  url += "data:";
  url += image.media_type;
  url += ";base64,";
  url += image.data;
  w.value(url);
}

std::string_view
tool_result_name(const std::vector<engine::chat_message>& messages,
                 std::size_t before, const engine::content_part& result) {
  if (!result.name.empty())
    return result.name;
  before = std::min(before, messages.size());
  for (std::size_t i = before; i-- > 0;)
    for (const auto& p : messages[i].parts)
      if (p.kind == engine::part_kind::tool_call && p.id == result.id)
        return p.name;
  return {};
}

std::string
write_function_tools(engine::json_writer& w,
                     const std::vector<engine::tool_definition>& tools,
                     bool with_strict, bool parameters_optional) {
  w.begin_array();
  for (const auto& t : tools) {
    if (!t.parameters.empty() && !is_json_object(t.parameters))
      return "tools: the parameters of tool '" + t.name
             + "' are not a JSON object";
    w.begin_object();
    w.field("type", "function");
    w.key("function").begin_object();
    w.field("name", t.name);
    if (!t.description.empty())
      w.field("description", t.description);
    if (!t.parameters.empty())
      w.key("parameters").raw(t.parameters);
    else if (!parameters_optional)
      w.key("parameters").raw(R"({"type":"object","properties":{}})");
    if (with_strict && t.strict)
      w.field("strict", *t.strict);
    w.end_object();
    w.end_object();
  }
  w.end_array();
  return {};
}

void write_string_array(engine::json_writer& w, std::string_view key,
                        const std::vector<std::string>& items) {
  w.key(key).begin_array();
  for (const auto& s : items)
    w.value(s);
  w.end_array();
}

// -- reading answers ----------------------------------------------------------

engine::content_part make_reasoning(std::string text, std::string_view format) {
  engine::content_part p;
  p.kind = engine::part_kind::reasoning;
  p.text = std::move(text);
  p.name = format;
  return p;
}

void write_openai_style_content(engine::json_writer& w,
                                const engine::chat_message& m,
                                bool null_if_empty) {
  using engine::part_kind;
  std::size_t texts = 0;
  std::size_t images = 0;
  for (const auto& p : m.parts) {
    texts += p.kind == part_kind::text;
    images += p.kind == part_kind::image;
  }
  w.key("content");
  if (images == 0 && texts <= 1) {
    if (texts == 0 && null_if_empty)
      w.null();
    else
      w.value(m.text());
    return;
  }
  w.begin_array();
  for (const auto& p : m.parts) {
    if (p.kind == part_kind::text) {
      w.begin_object();
      w.field("type", "text");
      w.field("text", p.text);
      w.end_object();
    } else if (p.kind == part_kind::image) {
      w.begin_object();
      w.field("type", "image_url");
      w.key("image_url").begin_object();
      w.key("url");
      write_image_url(w, p);
      if (!p.detail.empty())
        w.field("detail", p.detail);
      w.end_object();
      w.end_object();
    }
  }
  w.end_array();
}

} // namespace switchyard::providers::detail
