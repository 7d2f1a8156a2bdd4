#pragma once

#include "switchyard/engine/conversation.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::telemetry {
struct trace_parent;
} // namespace switchyard::telemetry

namespace switchyard::engine {

class cancel_token;

// -- what goes to a provider ---------------------------------------------------

/// Limits on one upstream call. Zero means "use the executor's default".
struct call_timeouts {
  std::chrono::milliseconds connect{0};
  /// Until the first byte of the response body (first token when streaming).
  std::chrono::milliseconds first_byte{0};
  std::chrono::milliseconds total{0};
};

/// One call to one model, independent of the wire format. Adapters turn it
/// into OpenAI, Anthropic, Gemini, Cohere or Ollama requests.
struct call_request {
  /// Registry id (for results and logs) and the name the provider expects.
  std::string model;
  std::string upstream_model;
  std::vector<chat_message> messages;
  /// Tools, tool_choice, response_format, seed, top_p and the rest.
  request_options options;
  std::optional<double> temperature;
  /// Always set: the budget reservation assumes at most this many tokens.
  std::uint32_t max_tokens = 1024;
  std::vector<std::string> stop;
  bool stream = false;
  call_timeouts timeouts;
  /// The task's: once cancelled (its client went away), the executor drops
  /// the call from its queue or aborts it in flight. Null: never cancelled.
  /// In-process only (not serialised).
  std::shared_ptr<cancel_token> cancel;
  /// The span the call's attempts hang from, the tracer that records them
  /// and the decision they serve (telemetry/); null when the task is not
  /// traced. In-process only.
  std::shared_ptr<const telemetry::trace_parent> trace;
  /// Set by the executor for each attempt that may carry the trace to the
  /// provider (telemetry::propagates_to): the W3C `traceparent` and
  /// `tracestate` values the provider client sends; empty: none.
  std::string traceparent;
  std::string tracestate;
};

// -- what comes back -----------------------------------------------------------

/// Why a call failed, as the executor needs to know it: whether to retry,
/// fail over, or give up.
enum class call_error : std::uint8_t {
  none,
  timeout,          ///< connect, first byte or total deadline passed
  connection,       ///< refused, reset, TLS failure, DNS
  rate_limited,     ///< 429; see retry_after
  server_error,     ///< 5xx: retryable
  client_error,     ///< 400/401/403/404/422: not retryable
  malformed,        ///< the upstream's body could not be understood
  truncated,        ///< the stream ended without its final event
  cancelled,        ///< we gave up on it (first_success, shutdown)
  budget_exceeded,  ///< cut off at the budget cap
  breaker_open,     ///< the provider's circuit breaker refused the call
  /// This node refused the call without sending it: the provider's calls in
  /// flight and its wait queue were full (max_concurrency, max_queued).
  /// Says nothing about the provider or the model; see retry_after.
  overloaded,
};

inline constexpr std::array<std::string_view, 12> call_error_names{
  "none",         "timeout",      "connection", "rate_limited",
  "server_error", "client_error", "malformed",  "truncated",
  "cancelled",    "budget_exceeded", "breaker_open", "overloaded"};

[[nodiscard]] constexpr std::string_view to_string(call_error e) noexcept {
  return call_error_names[static_cast<std::size_t>(e)];
}

/// Whether trying the same provider again may help.
[[nodiscard]] constexpr bool is_retryable(call_error e) noexcept {
  return e == call_error::timeout || e == call_error::connection
         || e == call_error::rate_limited || e == call_error::server_error
         || e == call_error::truncated;
}

/// Whether the failure says something about the provider's health (and so
/// counts against its circuit breaker). A 400 is our fault, not theirs.
[[nodiscard]] constexpr bool counts_against_provider(call_error e) noexcept {
  return e == call_error::timeout || e == call_error::connection
         || e == call_error::server_error || e == call_error::malformed
         || e == call_error::truncated || e == call_error::rate_limited;
}

struct call_result {
  std::string model;
  /// The model the upstream says answered (e.g. `gpt-4o-2024-08-06` for
  /// `gpt-4o`); empty when its answer does not say. In-process only.
  std::string response_model;
  call_error error = call_error::none;
  /// The generated text (the whole of it for a stream), all text blocks
  /// joined.
  std::string text;
  /// The answer's other parts in the order the model wrote them: reasoning
  /// (with its signature) and tool calls. Clients get reasoning first, then
  /// the text, then the tool calls.
  std::vector<content_part> content;
  /// Normalised: "stop", "length", "tool_calls", "content_filter" or "error".
  std::string finish_reason;
  std::uint32_t input_tokens = 0;
  std::uint32_t output_tokens = 0;
  /// Usage times the registry price, in billionths of a USD.
  std::int64_t cost_nanos = 0;
  double latency_ms = 0.0;
  double time_to_first_token_ms = 0.0;
  /// 0 when no HTTP response arrived.
  int http_status = 0;
  /// From a 429's or 503's Retry-After header; for `overloaded`, when this
  /// node expects a free slot.
  std::optional<std::chrono::milliseconds> retry_after;
  /// What went wrong, for logs and error bodies; names the provider and keeps
  /// its own message for 4xx. Never contains a key.
  std::string error_message;
  /// How many times the executor retried this call before this result.
  std::uint32_t retries = 0;

  [[nodiscard]] bool ok() const noexcept {
    return error == call_error::none;
  }
};

/// One piece of a streamed answer, whatever the upstream's format: text, a
/// tool-call fragment, reasoning, the finish reason or usage (several may
/// come in one chunk).
struct stream_chunk {
  std::string_view delta;
  /// A tool-call fragment when set: the call's position among this answer's
  /// calls (0, 1, ...; see tool_call_assembler). `tool_id` and `tool_name`
  /// are set on the call's first fragment; `tool_arguments` is a piece of
  /// its arguments' JSON text.
  std::optional<std::uint32_t> tool_index;
  std::string_view tool_id;
  std::string_view tool_name;
  std::string_view tool_arguments;
  /// A piece of reasoning text; the signature comes once, when its block
  /// ends (Anthropic).
  std::string_view reasoning;
  std::string_view reasoning_signature;
  /// Set on the last chunk of a stream, with the finish reason.
  std::string_view finish_reason;
  /// Usage when the upstream reports it (often only at the end).
  std::optional<std::uint32_t> input_tokens;
  std::optional<std::uint32_t> output_tokens;
};

} // namespace switchyard::engine
