#pragma once

// simdjson On-Demand helpers shared by the wire formats. Errors are codes;
// nothing here throws.

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/engine/provider_call.hpp"
#include "switchyard/http/client_request.hpp"

#include <cstdint>
#include <initializer_list>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::providers::detail {

namespace od = simdjson::ondemand;
using simdjson::error_code;

/// Starts a JSON POST to `target`: method, Content-Type, Accept (SSE for a
/// stream unless `ndjson_stream`), and an empty body. Every format's
/// build_request begins with it.
void begin_json_post(http::client_request& out, std::string target, bool stream,
                     bool ndjson_stream = false);

/// A reusable copy of a JSON text with the padding simdjson reads past the
/// end. Keep it (and the parser) alive while the document is read.
class padded_copy {
 public:
  simdjson::padded_string_view load(std::string_view text);

 private:
  std::string buffer_;
};

/// Pads `text` in place (one reallocation at most) and views it.
simdjson::padded_string_view pad_in_place(std::string& text);

/// Calls `f(item)` for each item of an object (as `od::field`) or an array
/// (as `od::value`), in document order; stops at the first error (from the
/// document or from `f`).
template<class Item, class Items, class F>
error_code for_each_item(Items& items, F&& f) {
  for (auto entry : items) {
    Item item;
    if (auto e = std::move(entry).get(item))
      return e;
    if (auto e = f(item))
      return e;
  }
  return simdjson::SUCCESS;
}

/// Calls `f(key, value)` for each field of `obj`, in document order; stops
/// at the first error (from the document or from `f`).
template<class F>
error_code for_each_field(od::object obj, F&& f) {
  return for_each_item<od::field>(obj, [&](od::field& field) -> error_code {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key))
      return e;
    od::value value = field.value();
    return f(key, value);
  });
}

/// The same for `v`, which must be an object.
template<class F>
error_code for_each_field(od::value& v, F&& f) {
  od::object obj;
  auto e = v.get_object().get(obj);
  return e ? e : for_each_field(obj, std::forward<F>(f));
}

/// Calls `f(value)` for each element of `arr`.
template<class F>
error_code for_each_element(od::array arr, F&& f) {
  return for_each_item<od::value>(arr, std::forward<F>(f));
}

/// The same for `v`, which must be an array.
template<class F>
error_code for_each_element(od::value& v, F&& f) {
  od::array arr;
  auto e = v.get_array().get(arr);
  return e ? e : for_each_element(arr, std::forward<F>(f));
}

/// A string, or "" for null.
error_code read_string(od::value& v, std::string_view& out);

/// The model the upstream says answered (a response's `model`) into
/// `result.response_model`, unless an earlier event set it.
error_code read_response_model(od::value& v, engine::call_result& result);

/// The string fields of an object a format reads: each name with the view
/// its value goes to.
using string_fields
  = std::initializer_list<std::pair<std::string_view, std::string_view*>>;

/// Reads the fields of `v`, an object, that `fields` names into their views
/// (null as ""); hands any other field to `other(key, value)`.
template<class Other>
error_code
read_string_fields(od::value& v, string_fields fields, Other&& other) {
  return for_each_field(v,
                        [&](std::string_view key, od::value& f) -> error_code {
                          for (const auto& [name, out] : fields)
                            if (name == key)
                              return read_string(f, *out);
                          return other(key, f);
                        });
}

/// The same, other fields left unread.
error_code read_string_fields(od::value& v, string_fields fields);

/// Reads a finish reason (null for none) into `result`, as `normalize`
/// names it.
error_code read_finish_reason(od::value& v, engine::call_result& result,
                              std::string_view (*normalize)(std::string_view));

/// A string; any other value is left unread and `out` as it was (for
/// fields whose other shapes are not ours to read).
error_code read_string_only(od::value& v, std::string_view& out);

/// An `error` value's message: the value itself when it is a string, its
/// `message` when it is an object; another shape is passed over (error
/// bodies vary too much to refuse one).
error_code read_error_message(od::value& error, std::string_view& message);

/// A whole number that fits 32 bits, or 0 for null.
error_code read_u32(od::value& v, std::uint32_t& out);

/// The value's JSON text as written (objects and arrays whole).
error_code read_raw(od::value& v, std::string_view& out);

/// Whether the value is of `type` (an unreadable one is of none).
bool is_type(od::value& v, od::json_type type);

/// Whether the value is JSON null.
bool is_null(od::value& v);

/// "malformed <subject>: <what> (<simdjson's reason>)", the reason left out
/// for SUCCESS.
std::string malformed(std::string_view what, error_code e,
                      std::string_view subject = "response body");

/// Marks `result` malformed with `message`; returns false for chaining.
bool fail_malformed(engine::call_result& result, std::string message);

/// Fails `result` with an error the upstream reported inside a 2xx answer
/// (an error event, an error object); returns false for chaining.
bool fail_upstream(engine::call_result& result, engine::call_error error,
                   std::string message);

/// Ends reading a body or an event: a failure the reader recorded in
/// `result` (an error the upstream sent, a malformed tool call) stands;
/// otherwise simdjson's error `e` fails it as malformed, naming `what`.
/// Returns whether `result` is still ok.
bool settle_read(error_code e, std::string_view what,
                 engine::call_result& result);

/// The system and developer messages' text, blank-line separated: for the
/// formats that take instructions apart from the turns (Anthropic, Gemini).
std::string
join_instructions(const std::vector<engine::chat_message>& messages);

// -- writing requests from the conversation model -----------------------------

/// The message build_request returns for a field `provider` cannot carry:
/// "<field> cannot be sent to <provider>", plus `hint` when given.
std::string cannot_express(std::string_view field, std::string_view provider,
                           std::string_view hint = {});

/// "messages[2]: an image part in an assistant message cannot be sent to
/// <provider>", for a part a role cannot hold in that format.
std::string misplaced_part(std::size_t index, engine::message_role role,
                           engine::part_kind kind, std::string_view provider);

/// Whether a turn in the OpenAI style (OpenAI, Cohere, Ollama) may hold a
/// part of `kind` as `role`: text and reasoning anywhere (each format decides
/// what reasoning it sends back), images from a user, tool calls from the
/// assistant. Tool results travel in `tool` messages of their own.
bool openai_style_part_fits(engine::message_role role,
                            engine::part_kind kind) noexcept;

/// `tool_calls` in OpenAI's shape (OpenAI, Cohere): id, type function,
/// name and the arguments text ("{}" when empty).
void write_openai_tool_calls(engine::json_writer& w,
                             const engine::chat_message& m);

/// Whether `text` is one whole, valid JSON object. Tool arguments, tool
/// schemas and response schemas are JSON text from the caller; they go into
/// request bodies unquoted, so a broken one must fail the call here rather
/// than corrupt the body.
bool is_json_object(std::string_view text);

/// A tool_call part's arguments as a JSON object text ("{}" when empty), for
/// the formats that take them as an object (Ollama, Anthropic, Gemini); ""
/// when they are not a JSON object.
std::string_view arguments_object(const engine::content_part& call);

/// The message build_request returns when a call's arguments are not a JSON
/// object: names the field and the call.
std::string bad_arguments(const engine::content_part& call);

/// Whether a reasoning part belongs to one provider: it carries a signature
/// or is redacted. Such parts go back only to the format that made them
/// (their `name`); every other format drops them, the one drop the issue
/// allows.
bool is_signed(const engine::content_part& reasoning) noexcept;

/// The text parts of `parts`, joined by newlines (as chat_message::text()).
std::string joined_text(const std::vector<engine::content_part>& parts);

/// What a failed tool result's text starts with in the formats that have no
/// field for `is_error` (OpenAI chat completions, Cohere v2, Ollama): the
/// flag is not dropped, the model reads it. Anthropic has `is_error` and
/// Gemini `response.error`.
inline constexpr std::string_view tool_error_prefix = "Error: ";

/// A tool_result's text parts joined (as joined_text), prefixed with
/// tool_error_prefix when the result `is_error`.
std::string tool_result_text(const engine::content_part& result);

/// Writes a text-only tool_result's `content` as OpenAI and Cohere v2 take
/// it: a string for at most one text part, else text blocks in order. A
/// failed result's first text gets tool_error_prefix.
void write_tool_result_content(engine::json_writer& w,
                               const engine::content_part& result);

/// Splits `data:<media_type>;base64,<data>`; false for anything else.
bool split_data_url(std::string_view url, std::string_view& media_type,
                    std::string_view& data);

/// `content` in the OpenAI style (OpenAI, Cohere): a string for at most one
/// text part and no image, else the text and `image_url` parts in order;
/// null instead of "" when `null_if_empty` and there is no text (an
/// assistant turn that only calls tools).
void write_openai_style_content(engine::json_writer& w,
                                const engine::chat_message& m,
                                bool null_if_empty);

/// An image part as the URL string OpenAI and Cohere take: its http(s) URL,
/// or a `data:<media_type>;base64,<data>` URL built from its bytes.
void write_image_url(engine::json_writer& w, const engine::content_part& image);

/// The tool a tool_result answers: the part's own `name`, else the name of
/// the tool_call with the same id in `messages` before index `before`; ""
/// when neither is known. Ollama's `tool_name` and Gemini's
/// functionResponse need it.
std::string_view
tool_result_name(const std::vector<engine::chat_message>& messages,
                 std::size_t before, const engine::content_part& result);

/// `[{"type":"function","function":{name, description, parameters,
/// strict}}]`, the tools array of OpenAI, Cohere v2 and Ollama; `strict` only
/// when `with_strict`. A tool without parameters gets an empty object schema
/// unless `parameters_optional`. Returns "" or why it cannot be written (a
/// schema that is not a JSON object), naming the tool.
std::string
write_function_tools(engine::json_writer& w,
                     const std::vector<engine::tool_definition>& tools,
                     bool with_strict, bool parameters_optional);

/// `"key": [strings...]`, for stop sequences.
void write_string_array(engine::json_writer& w, std::string_view key,
                        const std::vector<std::string>& items);

// -- reading answers into the conversation model ------------------------------

/// An unsigned reasoning part holding `text`, tagged with the `format` that
/// produced it.
engine::content_part make_reasoning(std::string text, std::string_view format);

} // namespace switchyard::providers::detail
