#pragma once

#include "switchyard/providers/wire_format.hpp"

namespace switchyard::providers {

/// Cohere chat v2 (`POST {base}/chat`, base ending in `/v2`). Messages keep
/// OpenAI's roles, `tools` keep OpenAI's shape, top_p is `p`; Bearer auth.
/// Usage: `billed_units` (what is charged) when present, else `tokens`.
/// Streams are SSE events message-start, content-start, content-delta,
/// content-end, tool-plan-delta, tool-call-start/delta/end, message-end
/// (finish reason and usage).
///
/// Tool calls and results keep OpenAI's shapes (`tool_calls`, `role:
/// "tool"` with `tool_call_id`); a failed result, whose `is_error` chat v2
/// has no field for, goes as its text prefixed with "Error: ". Images are
/// `image_url` parts (a URL or a data URL); a schema rides in
/// `response_format.json_schema`; `tool_plan` comes back as unsigned
/// reasoning named "cohere" and goes back as `tool_plan` with the calls it
/// preceded. A named tool_choice, parallel_tool_calls=false, logprobs,
/// reasoning_effort, thinking and an image in a tool result cannot be
/// carried and fail the call.
///
/// The model listing is on v1 even for v2 chat: `GET /v1/models` (the base's
/// trailing `/v2` becomes `/v1`), chat models only, answering
/// `{"models": [{"name"}]}`.
class cohere_format final : public wire_format {
 public:
  engine::provider_kind kind() const noexcept override {
    return engine::provider_kind::cohere;
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

  /// COMPLETE and STOP_SEQUENCE -> stop, MAX_TOKENS -> length, TOOL_CALL ->
  /// tool_calls, ERROR_TOXIC -> content_filter, ERROR -> error.
  [[nodiscard]] static std::string_view
  normalize_finish_reason(std::string_view reason) noexcept;
};

} // namespace switchyard::providers
