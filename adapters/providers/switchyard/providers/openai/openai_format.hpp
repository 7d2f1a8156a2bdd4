#pragma once

#include "switchyard/providers/wire_format.hpp"

namespace switchyard::providers {

/// OpenAI chat completions (`POST {base}/chat/completions`), also spoken by
/// OpenRouter, Mistral, LM Studio and vLLM. Bearer auth; streams are SSE
/// `data:` lines ending in `data: [DONE]`, with
/// `stream_options.include_usage` asking for a last chunk holding the usage.
/// The conversation model is this format's own shape: tool calls go in
/// `tool_calls`, each tool result in a `role: "tool"` message, images as
/// `image_url` parts (a URL or a data URL). A tool result's `is_error` has
/// no field here: a failed result's text goes prefixed with "Error: ", so
/// the model still learns the call failed. It cannot carry `top_k`,
/// Anthropic's `thinking` or an image inside a tool result. Signed
/// reasoning (another provider's) is dropped; `reasoning_content` from
/// OpenAI-compatible servers is read back as unsigned reasoning.
///
/// The model listing is `GET {base}/models` (base ending in `/v1`),
/// answering `{"data": [{"id"}]}`: OpenAI, OpenRouter, Mistral, LM Studio
/// and vLLM all serve it.
class openai_format final : public wire_format {
 public:
  engine::provider_kind kind() const noexcept override {
    return engine::provider_kind::openai;
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

  /// OpenAI's finish reasons are already the normalised names; legacy
  /// `function_call` becomes `tool_calls`.
  [[nodiscard]] static std::string_view
  normalize_finish_reason(std::string_view reason) noexcept;

  /// Reasoning models (o1, o3, o4, gpt-5) refuse `max_tokens` and take
  /// `max_completion_tokens`.
  [[nodiscard]] static bool
  uses_max_completion_tokens(std::string_view model) noexcept;
};

} // namespace switchyard::providers
