#pragma once

#include "switchyard/providers/wire_format.hpp"

namespace switchyard::providers {

/// Gemini `POST {base}/models/{model}:generateContent` and
/// `:streamGenerateContent?alt=sse`. Turns are `contents` with `parts` and
/// the roles `user` and `model`; system messages go to
/// `systemInstruction`; sampling to `generationConfig`; usage comes back in
/// `usageMetadata`. The key goes in the `x-goog-api-key` header (never in
/// the URL, where logs would keep it). A stream is SSE with one
/// GenerateContentResponse per event and no end marker: the chunk carrying
/// `finishReason` is the last.
class gemini_format final : public wire_format {
 public:
  engine::provider_kind kind() const noexcept override {
    return engine::provider_kind::gemini;
  }

  void build_request(const engine::call_request& req, bool stream,
                     std::string_view base_path,
                     http::client_request& out) const override;

  void authorize(std::string_view key,
                 http::header_list& headers) const override;

  bool parse_response(std::string& body,
                      engine::call_result& result) const override;

  std::unique_ptr<stream_decoder> make_stream_decoder() const override;

  /// STOP -> stop, MAX_TOKENS -> length, SAFETY / RECITATION / BLOCKLIST /
  /// PROHIBITED_CONTENT / SPII -> content_filter, others -> stop.
  [[nodiscard]] static std::string_view
  normalize_finish_reason(std::string_view reason) noexcept;
};

} // namespace switchyard::providers
