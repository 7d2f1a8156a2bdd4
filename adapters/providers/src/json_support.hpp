#pragma once

// simdjson On-Demand helpers shared by the wire formats. Errors are codes;
// nothing here throws.

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/engine/provider_call.hpp"
#include "switchyard/http/client_request.hpp"

#include <cstdint>
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
void begin_json_post(http::client_request& out, std::string target,
                     bool stream, bool ndjson_stream = false);

/// `[{"role": ..., "content": ...}, ...]` as the OpenAI-style formats
/// (OpenAI, Cohere v2, Ollama) take their conversation.
void write_role_content_messages(engine::json_writer& w,
                                 const std::vector<engine::chat_message>& ms);

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

/// Calls `f(key, value)` for each field of `obj`, in document order; stops
/// at the first error (from the document or from `f`).
template<class F>
error_code for_each_field(od::object obj, F&& f) {
  for (auto item : obj) {
    od::field field;
    if (auto e = std::move(item).get(field))
      return e;
    std::string_view key;
    if (auto e = field.unescaped_key().get(key))
      return e;
    od::value value = field.value();
    if (auto e = f(key, value))
      return e;
  }
  return simdjson::SUCCESS;
}

/// Calls `f(value)` for each element of `arr`.
template<class F>
error_code for_each_element(od::array arr, F&& f) {
  for (auto item : arr) {
    od::value value;
    if (auto e = std::move(item).get(value))
      return e;
    if (auto e = f(value))
      return e;
  }
  return simdjson::SUCCESS;
}

/// A string, or "" for null.
error_code read_string(od::value& v, std::string_view& out);

/// A whole number that fits 32 bits, or 0 for null.
error_code read_u32(od::value& v, std::uint32_t& out);

/// The value's JSON text as written (objects and arrays whole).
error_code read_raw(od::value& v, std::string_view& out);

/// Whether the value is JSON null (consumes it if so).
bool is_null(od::value& v);

/// "malformed response body: <what> (<simdjson's reason>)"
std::string malformed(std::string_view what, error_code e);

/// Marks `result` malformed with `message`; returns false for chaining.
bool fail_malformed(engine::call_result& result, std::string message);

/// One tool call being assembled, in OpenAI's terms.
struct tool_call {
  std::string id;
  std::string name;
  /// The arguments as a JSON text (OpenAI's `arguments` string).
  std::string arguments;
};

/// Renders OpenAI's `tool_calls` array; "" for none.
std::string tool_calls_json(const std::vector<tool_call>& calls);

/// Tools converted from OpenAI's `[{"type":"function","function":{name,
/// description, parameters}}]`, for formats that spell them otherwise.
struct tool_spec {
  std::string name;
  std::string description;
  /// JSON Schema text; "{}" when absent.
  std::string parameters;
};

/// Reads OpenAI-style `tools_json`; false when it is not that shape.
bool parse_openai_tools(std::string_view tools_json,
                        std::vector<tool_spec>& out);

/// Concatenates the `content` of messages with `role`, blank-line separated.
std::string join_role(const std::vector<engine::chat_message>& messages,
                      std::string_view role);

} // namespace switchyard::providers::detail
