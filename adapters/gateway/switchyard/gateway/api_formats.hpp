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

/// Whether an agent conversation stays on the model that made its tool
/// calls: `switchyard.pin_model` in the body or `X-Switchyard-Pin-Model`.
enum class pin_mode : std::uint8_t {
  /// Absent or `true`: the model named by the tool-call ids, if any.
  from_ids,
  /// `false`: no sticky model; the router may move the conversation.
  off,
  /// A registry id: stay on that model (unless it fails).
  model,
};

/// A chat request in any API, as the runtime will run it.
struct chat_request {
  task_spec task;
  /// The registry id the client forced, or empty for "auto".
  std::string forced_model;
  /// What the client sent as `model`, echoed back.
  std::string requested_model;
  bool stream = false;
  /// OpenAI's stream_options.include_usage.
  bool include_usage = false;
  pin_mode pin = pin_mode::from_ids;
  /// The registry id when `pin` is `model`.
  std::string pin_model;
  /// The Responses API's `instructions`, echoed in its response object.
  std::string instructions;
};

using parsed_chat = std::variant<chat_request, api_error>;

/// POST /v1/chat/completions. Hints come from an optional `switchyard`
/// object in the body or from X-Switchyard-* headers. Tool-call ids are
/// returned as the client sent them (see tool_call_stickiness).
[[nodiscard]] parsed_chat parse_openai_chat(std::string_view body,
                                            const header_lookup& headers,
                                            const engine::registry& reg);

/// POST /v1/messages.
[[nodiscard]] parsed_chat parse_anthropic_messages(std::string_view body,
                                                   const header_lookup& headers,
                                                   const engine::registry& reg);

/// A rendered body, or the error that stops it (a model's tool arguments
/// that are not a JSON object cannot be an Anthropic `input`).
using rendered_body = std::variant<std::string, api_error>;

/// A non-streamed chat.completion object. Tool-call ids are written as
/// they are in `r.content` (the gateway tags them first).
[[nodiscard]] std::string openai_completion_body(const task_reply& r,
                                                 const engine::registry& reg,
                                                 std::int64_t created);

/// A non-streamed Anthropic message object.
[[nodiscard]] rendered_body anthropic_message_body(const task_reply& r,
                                                   const engine::registry& reg);

/// The finish reason a client sees: "tool_calls" whenever the answer holds
/// tool calls and did not stop for length or a content filter (some
/// upstreams say "stop" there), else the reply's own.
[[nodiscard]] std::string_view client_finish_reason(std::string_view finish,
                                                    bool has_tool_calls);

/// The API error a failed task maps to.
[[nodiscard]] api_error error_for(const task_reply& r);

/// Whether a failed task was refused by this node's own concurrency limits
/// (error_code::overloaded, or every attempt call_error::overloaded): the
/// client gets 429 with Retry-After, not a 503.
[[nodiscard]] bool refused_as_overloaded(const task_reply& r);

/// The decision id as clients see it (`dec_` + 16 hex digits), the form
/// `switchyard explain` and POST /v1/feedback take.
[[nodiscard]] std::string decision_ref(std::uint64_t decision_id);

} // namespace switchyard::gateway
