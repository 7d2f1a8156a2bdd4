#pragma once

#include "switchyard/providers/wire_format.hpp"

#include <string_view>

namespace switchyard::providers {

/// Anthropic messages (`POST {base}/v1/messages`). System messages go to
/// the top-level `system`; `max_tokens` is always sent (the API requires
/// it); auth is `x-api-key` plus `anthropic-version: 2023-06-01`. Streams
/// are SSE events message_start, content_block_start/_delta/_stop,
/// message_delta (stop reason, output usage), message_stop, with `ping`s
/// and possibly an `error` event.
class anthropic_format final : public wire_format {
 public:
  /// The API version this format is written against.
  static constexpr std::string_view api_version = "2023-06-01";

  engine::provider_kind kind() const noexcept override {
    return engine::provider_kind::anthropic;
  }

  void build_request(const engine::call_request& req, bool stream,
                     std::string_view base_path,
                     http::client_request& out) const override;

  void authorize(std::string_view key,
                 http::header_list& headers) const override;

  bool parse_response(std::string& body,
                      engine::call_result& result) const override;

  std::unique_ptr<stream_decoder> make_stream_decoder() const override;

  /// end_turn and stop_sequence -> stop, max_tokens -> length, tool_use ->
  /// tool_calls, refusal -> content_filter.
  [[nodiscard]] static std::string_view
  normalize_stop_reason(std::string_view reason) noexcept;

  /// The error class of an `error` event's `error.type`.
  [[nodiscard]] static engine::call_error
  classify_error_type(std::string_view type) noexcept;
};

} // namespace switchyard::providers
