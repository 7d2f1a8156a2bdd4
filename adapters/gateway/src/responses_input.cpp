#include "switchyard/gateway/responses_input.hpp"

namespace switchyard::gateway {

namespace {

using engine::chat_message;
using engine::content_part;
using engine::message_role;
using engine::part_kind;
using simdjson::SUCCESS;

api_error unsupported(std::string message) {
  return bad_request(std::move(message), "unsupported_parameter");
}

/// An input_image part: an http(s) URL, or a data: URL split into its media
/// type and base64 bytes. OpenAI's file ids need its file storage.
std::optional<api_error> read_image(simdjson::dom::object part,
                                    const std::string& where,
                                    content_part& out) {
  out.kind = part_kind::image;
  simdjson::dom::element file_id;
  if (part["file_id"].get(file_id) == SUCCESS && !file_id.is_null())
    return unsupported(where
                       + ".file_id: file ids need OpenAI's file "
                         "storage, which switchyard does not have; send "
                         "image_url (an https URL or a data: URL)");
  std::string url;
  if (auto e = optional_string(part, "image_url", where, url))
    return e;
  if (url.empty())
    return bad_request(where + ".image_url is required");
  if (split_data_url(url, out.media_type, out.data)) {
    // bytes inline
  } else if (is_http_url(url)) {
    out.url = std::move(url);
  } else {
    return bad_request(where
                       + ".image_url must be an http(s) URL or a "
                         "data:<media type>;base64,<data> URL");
  }
  return optional_string(part, "detail", where, out.detail);
}

/// One content part of a message or a function_call_output. `text_only`
/// for an assistant message, which carries no images.
std::optional<api_error> read_part(simdjson::dom::element e,
                                   const std::string& where, bool text_only,
                                   std::vector<content_part>& out) {
  simdjson::dom::object part;
  std::string_view type;
  if (e.get(part) != SUCCESS || part["type"].get(type) != SUCCESS)
    return bad_request(where + ".type is required");
  if (type == "input_text" || type == "output_text" || type == "refusal") {
    // A refusal an assistant wrote comes back as what it said.
    std::string_view text;
    auto key = type == "refusal" ? "refusal" : "text";
    if (part[key].get(text) != SUCCESS)
      return bad_request(where + "." + key + " must be a string");
    out.push_back(content_part::make_text(std::string{text}));
    return std::nullopt;
  }
  if (type == "input_image" && !text_only) {
    content_part image;
    if (auto err = read_image(part, where, image))
      return err;
    out.push_back(std::move(image));
    return std::nullopt;
  }
  if (type == "input_file" || type == "input_audio")
    return unsupported(where + ": " + std::string{type}
                       + " parts are not supported; send text (input_text) "
                         "or images (input_image)");
  return bad_request(where + ": content part type '" + std::string{type}
                       + "' is not supported here; use input_text"
                       + (text_only ? std::string{" or output_text"}
                                    : std::string{" or input_image"}),
                     "unsupported_parameter");
}

/// A string or an array of parts.
std::optional<api_error> read_content(simdjson::dom::element content,
                                      const std::string& where, bool text_only,
                                      std::vector<content_part>& out) {
  std::string_view s;
  if (content.get(s) == SUCCESS) {
    if (!s.empty())
      out.push_back(content_part::make_text(std::string{s}));
    return std::nullopt;
  }
  simdjson::dom::array parts;
  if (content.get(parts) != SUCCESS)
    return bad_request(where + " must be a string or an array of parts");
  std::size_t i = 0;
  for (auto p : parts)
    if (auto e = read_part(p, where + "[" + std::to_string(i++) + "]",
                           text_only, out))
      return e;
  return std::nullopt;
}

/// A message item ({type: "message"} or a bare {role, content}).
std::optional<api_error> read_message(simdjson::dom::object item,
                                      const std::string& where,
                                      std::vector<chat_message>& out) {
  std::string_view role_name;
  if (item["role"].get(role_name) != SUCCESS)
    return bad_request(where + ".role is required");
  auto role = engine::parse_message_role(role_name);
  if (!role || *role == message_role::tool)
    return bad_request(where
                       + ".role must be user, assistant, system or "
                         "developer (a tool's answer is a "
                         "function_call_output item)");
  chat_message m;
  m.role = *role;
  simdjson::dom::element content;
  if (item["content"].get(content) != SUCCESS)
    return bad_request(where + ".content is required");
  if (auto e = read_content(content, where + ".content",
                            m.role == message_role::assistant, m.parts))
    return e;
  out.push_back(std::move(m));
  return std::nullopt;
}

std::optional<api_error>
required_string(simdjson::dom::object item, std::string_view key,
                const std::string& where, std::string& out) {
  std::string_view s;
  if (item[key].get(s) != SUCCESS || s.empty())
    return bad_request(where + "." + std::string{key}
                       + " is required (a non-empty string)");
  out.assign(s);
  return std::nullopt;
}

/// A function_call item: a tool_call part of the assistant turn it
/// follows (after that turn's text), or of a new assistant turn.
std::optional<api_error> read_function_call(simdjson::dom::object item,
                                            const std::string& where,
                                            std::vector<chat_message>& out) {
  content_part call;
  call.kind = part_kind::tool_call;
  if (auto e = required_string(item, "call_id", where, call.id))
    return e;
  if (auto e = required_string(item, "name", where, call.name))
    return e;
  if (auto e = optional_string(item, "arguments", where, call.arguments))
    return e;
  if (call.arguments.empty())
    call.arguments = "{}";
  if (out.empty() || out.back().role != message_role::assistant)
    out.push_back(chat_message{message_role::assistant, {}, {}});
  out.back().parts.push_back(std::move(call));
  return std::nullopt;
}

/// The name of the call `id` answers, from the calls earlier in the
/// conversation (Gemini matches results by name); empty when unknown.
std::string call_name(const std::vector<chat_message>& msgs,
                      std::string_view id) {
  for (auto m = msgs.rbegin(); m != msgs.rend(); ++m)
    for (const auto& p : m->parts)
      if (p.kind == part_kind::tool_call && p.id == id)
        return p.name;
  return {};
}

/// A function_call_output item: a tool_result part of the tool turn it
/// follows, or of a new tool turn.
std::optional<api_error> read_function_output(simdjson::dom::object item,
                                              const std::string& where,
                                              std::vector<chat_message>& out) {
  content_part result;
  result.kind = part_kind::tool_result;
  if (auto e = required_string(item, "call_id", where, result.id))
    return e;
  simdjson::dom::element output;
  if (item["output"].get(output) != SUCCESS)
    return bad_request(where + ".output is required");
  if (auto e = read_content(output, where + ".output", false, result.content))
    return e;
  result.name = call_name(out, result.id);
  if (out.empty() || out.back().role != message_role::tool)
    out.push_back(chat_message{message_role::tool, {}, {}});
  out.back().parts.push_back(std::move(result));
  return std::nullopt;
}

std::optional<api_error> read_item(simdjson::dom::element e,
                                   const std::string& where,
                                   std::vector<chat_message>& out) {
  simdjson::dom::object item;
  if (e.get(item) != SUCCESS)
    return bad_request(where + " must be an object");
  std::string_view type;
  if (item["type"].get(type) != SUCCESS) {
    if (item["role"].error() == SUCCESS)
      return read_message(item, where, out);
    return bad_request(where + ".type is required");
  }
  if (type == "message")
    return read_message(item, where, out);
  if (type == "function_call")
    return read_function_call(item, where, out);
  if (type == "function_call_output")
    return read_function_output(item, where, out);
  if (type == "reasoning")
    return unsupported(where
                       + ": reasoning items are not supported: "
                         "switchyard returns none and cannot send "
                         "OpenAI's reasoning to another provider; "
                         "leave them out of input");
  if (type == "item_reference")
    return unsupported(where
                       + ": item_reference needs stored responses, "
                         "which switchyard does not keep; send the "
                         "item itself");
  return unsupported(where + ": input item type '" + std::string{type}
                     + "' is not supported; use message, function_call or "
                       "function_call_output items (built-in tools are "
                       "not available)");
}

} // namespace

std::optional<api_error> read_responses_input(simdjson::dom::element input,
                                              std::vector<chat_message>& out) {
  std::string_view text;
  if (input.get(text) == SUCCESS) {
    if (text.empty())
      return bad_request("input must not be empty", "invalid_input");
    out.push_back(chat_message::make(message_role::user, std::string{text}));
    return std::nullopt;
  }
  simdjson::dom::array items;
  if (input.get(items) != SUCCESS || items.size() == 0)
    return bad_request("input must be a non-empty string or array of items",
                       "invalid_input");
  std::size_t i = 0;
  for (auto item : items)
    if (auto e = read_item(item, "input[" + std::to_string(i++) + "]", out))
      return e;
  return std::nullopt;
}

} // namespace switchyard::gateway
