#pragma once

#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/task_messages.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::gateway {

/// An error as an HTTP status plus the body fields OpenAI clients expect.
struct api_error {
  int status = 400;
  /// invalid_request_error, authentication_error, permission_error,
  /// not_found_error, rate_limit_error, api_error, overloaded_error.
  std::string type = "invalid_request_error";
  std::string code;
  std::string message;
};

/// `{"error":{"message","type","param","code"}}` (OpenAI's shape).
[[nodiscard]] std::string openai_error_body(const api_error& e);

/// `{"type":"error","error":{"type","message"}}` (Anthropic's shape).
[[nodiscard]] std::string anthropic_error_body(const api_error& e);

/// Reads a request header by name (case-insensitive); for the
/// X-Switchyard-* hints.
using header_lookup
  = std::function<std::optional<std::string_view>(std::string_view)>;

/// A chat request in either API, as the runtime will run it.
struct chat_request {
  task_spec task;
  /// The registry id the client forced, or empty for "auto".
  std::string forced_model;
  /// What the client sent as `model`, echoed back.
  std::string requested_model;
  bool stream = false;
  /// OpenAI's stream_options.include_usage.
  bool include_usage = false;
};

using parsed_chat = std::variant<chat_request, api_error>;

/// POST /v1/chat/completions. Hints come from an optional `switchyard`
/// object in the body or from X-Switchyard-* headers.
[[nodiscard]] parsed_chat parse_openai_chat(std::string_view body,
                                            const header_lookup& headers,
                                            const engine::registry& reg);

/// POST /v1/messages.
[[nodiscard]] parsed_chat parse_anthropic_messages(std::string_view body,
                                                   const header_lookup& headers,
                                                   const engine::registry& reg);

/// A non-streamed chat.completion object.
[[nodiscard]] std::string openai_completion_body(const task_reply& r,
                                                 const engine::registry& reg,
                                                 std::int64_t created);

/// A non-streamed Anthropic message object.
[[nodiscard]] std::string anthropic_message_body(const task_reply& r,
                                                 const engine::registry& reg);

/// The API error a failed task maps to.
[[nodiscard]] api_error error_for(const task_reply& r);

/// The decision id as clients see it (`dec_` + 16 hex digits), the form
/// `switchyard explain` and POST /v1/feedback take.
[[nodiscard]] std::string decision_ref(std::uint64_t decision_id);

} // namespace switchyard::gateway
