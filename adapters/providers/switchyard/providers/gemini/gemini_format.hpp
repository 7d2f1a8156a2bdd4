#pragma once

#include "switchyard/providers/wire_format.hpp"

#include <string>
#include <string_view>

namespace switchyard::providers {

/// Gemini `POST {base}/models/{model}:generateContent` and
/// `:streamGenerateContent?alt=sse`. Turns are `contents` with `parts` and
/// the roles `user` and `model`; system messages go to
/// `systemInstruction`; sampling to `generationConfig`; usage comes back in
/// `usageMetadata`. The key goes in the `x-goog-api-key` header (never in
/// the URL, where logs would keep it). A stream is SSE with one
/// GenerateContentResponse per event and no end marker: the chunk carrying
/// `finishReason` is the last.
///
/// Tool calls are `functionCall` parts sent whole, without ids unless the
/// API adds one: ids are made up as `call_<n>`, the call's position in the
/// answer. Results go back as `functionResponse` parts matched by name and
/// order, so a tool_result needs its tool's name (its own, or the name of
/// the call with its id earlier in the conversation); a failed result's
/// output goes in `response.error` instead of `response.content`. A call's
/// thought signature is kept on its tool_call part and sent back with it.
///
/// Not expressible, so refused by name: parallel_tool_calls=false,
/// logprobs, reasoning_effort, thinking, a strict tool, an image in a tool
/// result, and an image URL other than gs:// or a Files API URI.
///
/// The model listing is `GET {base}/models?pageSize=1000` (base ending in
/// `/v1beta`, as for generateContent; `nextPageToken` is not followed),
/// answering `{"models": [{"name": "models/..."}]}`; the `models/` prefix is
/// dropped, so names read as `upstream` spells them.
class gemini_format final : public wire_format {
 public:
  /// The `name` of the reasoning parts this format reads: only those go
  /// back to Gemini (thought signatures are its own).
  static constexpr std::string_view reasoning_name = "gemini";

  engine::provider_kind kind() const noexcept override {
    return engine::provider_kind::gemini;
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

  /// STOP -> stop, MAX_TOKENS -> length, SAFETY / RECITATION / BLOCKLIST /
  /// PROHIBITED_CONTENT / SPII / IMAGE_SAFETY -> content_filter,
  /// MALFORMED_FUNCTION_CALL -> error, others -> stop. A STOP with function
  /// calls is reported as tool_calls by the caller.
  [[nodiscard]] static std::string_view
  normalize_finish_reason(std::string_view reason) noexcept;
};

} // namespace switchyard::providers
