#pragma once

#include "switchyard/providers/wire_format.hpp"

#include <string>
#include <string_view>

namespace switchyard::providers {

/// Anthropic messages (`POST {base}/v1/messages`). Instructions go to the
/// top-level `system` (as blocks when they carry `cache_control`); turns
/// are content blocks: text, image, tool_use, tool_result (a failed one with
/// `is_error: true`), and thinking / redacted_thinking written by Anthropic
/// itself. A `tool` message becomes a user turn of tool_result blocks,
/// merged with the user message after it (the API wants user and assistant
/// turns to alternate). `max_tokens` is always sent (the API requires it);
/// auth is `x-api-key` plus `anthropic-version: 2023-06-01`. Streams are
/// SSE events message_start, content_block_start/_delta/_stop,
/// message_delta (stop reason, output usage), message_stop, with `ping`s and
/// possibly an `error` event.
///
/// Not expressible, so refused by name: seed, a JSON response_format,
/// logprobs, reasoning_effort and a strict tool.
///
/// The model listing is `GET {base}/v1/models?limit=1000` (one page of the
/// API's largest size; `has_more` is not followed), answering `{"data":
/// [{"id"}], "has_more"}`.
class anthropic_format final : public wire_format {
 public:
  /// The API version this format is written against.
  static constexpr std::string_view api_version = "2023-06-01";

  /// The `name` of the reasoning parts this format reads: only those go
  /// back to Anthropic (thinking signatures are its own).
  static constexpr std::string_view reasoning_name = "anthropic";

  engine::provider_kind kind() const noexcept override {
    return engine::provider_kind::anthropic;
  }

  [[nodiscard]] std::string
  build_request(const engine::call_request& req, bool stream,
                std::string_view base_path,
                http::client_request& out) const override;

  void authorize(std::string_view key,
                 http::header_list& headers) const override;

  bool parse_response(std::string& body,
                      engine::call_result& result) const override;

  std::unique_ptr<stream_decoder> make_stream_decoder() const override;

  void build_models_request(std::string_view base_path,
                            http::client_request& out) const override;

  bool parse_models(std::string& body,
                    engine::model_listing& out) const override;

  /// end_turn and stop_sequence -> stop, max_tokens -> length, tool_use ->
  /// tool_calls, refusal -> content_filter.
  [[nodiscard]] static std::string_view
  normalize_stop_reason(std::string_view reason) noexcept;

  /// The error class of an `error` event's `error.type`.
  [[nodiscard]] static engine::call_error
  classify_error_type(std::string_view type) noexcept;
};

} // namespace switchyard::providers
