#pragma once

#include "switchyard/engine/provider_call.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/telemetry/span.hpp"
#include "switchyard/telemetry/trace_parent.hpp"

#include <cstdint>
#include <string_view>

namespace switchyard::telemetry {

/// `gen_ai.provider.name` for a provider: the well-known value when its id
/// names one (`openai`, `mistral` as `mistral_ai`, `groq`, ...), else its
/// wire format's (`anthropic`, `gcp.gemini`, `cohere`, `ollama`), else its
/// id (OpenAI-compatible servers such as LM Studio or OpenRouter), as the
/// conventions ask for providers they do not list.
[[nodiscard]] std::string_view
genai_provider_name(const engine::provider_spec& p) noexcept;

/// Whether calls to `p` carry `traceparent` and `tracestate`: always to
/// local and self-hosted upstreams (`local: true`, or an Ollama server),
/// to a commercial API only with `propagate_to_providers`. A trace id sent
/// to a third party tells it which of its requests belong together.
[[nodiscard]] bool propagates_to(const trace_parent& parent,
                                 const engine::provider_spec& p) noexcept;

/// The context of attempt `attempt` (1 for the first) of call `call_id`
/// under `parent`: the parent's trace, flags and `tracestate`, with a span
/// id mixed from the parent's span id, the call id and the attempt
/// (splitmix64). Call ids are unique in a process and the parent's span id
/// is random, so these ids are unique in the trace; deriving them means
/// the executor keeps no state per attempt to find the id again when the
/// attempt ends. Never all zeros.
[[nodiscard]] trace_context attempt_context(const trace_context& parent,
                                            std::uint64_t call_id,
                                            std::uint32_t attempt) noexcept;

/// One upstream attempt as the executor saw it end.
struct upstream_attempt {
  const trace_parent& parent;
  const engine::provider_spec& provider;
  const engine::call_request& request;
  const engine::call_result& result;
  std::uint64_t call_id = 0;
  /// 1 for the first attempt; each retry is an attempt of its own.
  std::uint32_t attempt = 1;
  std::uint64_t start_unix_nanos = 0;
  std::uint64_t end_unix_nanos = 0;
};

/// The client span of an attempt, named `chat {upstream model}` as the
/// GenAI conventions name an inference span, with:
/// - `gen_ai.operation.name` (`chat`), `gen_ai.provider.name`,
///   `gen_ai.request.model` (the upstream's name), `gen_ai.request.max_tokens`,
///   and `gen_ai.request.temperature` and `gen_ai.request.top_p` when set;
/// - on an answer: `gen_ai.response.model` (as the upstream reported it,
///   else as asked), `gen_ai.response.finish_reasons`,
///   `gen_ai.usage.input_tokens` and `gen_ai.usage.output_tokens`;
/// - `http.response.status_code` when a response arrived,
///   `http.request.resend_count` on a retry, `server.address`/`server.port`;
/// - `switchyard.retry` (0 for the first attempt), `switchyard.decision.id`,
///   `switchyard.time_to_first_token` (seconds), `switchyard.cost.usd`;
/// - on a failure: `error.type` (the HTTP status, else the error class),
///   `switchyard.error.class` and an error status naming the class (never
///   the upstream's message, which may quote the prompt); a stream cut at
///   its budget cap is an answer (finish reason `length`) with
///   `switchyard.error.class` `budget_exceeded` and no error status;
/// - with `capture_content` only: `gen_ai.system_instructions`,
///   `gen_ai.input.messages` and `gen_ai.output.messages`.
///
/// Never a key or a header. Pure: no clock, no I/O.
[[nodiscard]] span make_upstream_span(const upstream_attempt& a);

} // namespace switchyard::telemetry
