#pragma once

#include "switchyard/providers/wire_format.hpp"

namespace switchyard::providers {

/// Ollama `POST {base}/api/chat`. Sampling goes in `options` (num_predict
/// is max_tokens); `stream` is always sent because Ollama streams unless
/// told not to. A stream is NDJSON: one object per line, the last with
/// `"done": true`, `done_reason`, `prompt_eval_count` (input tokens) and
/// `eval_count` (output tokens). No auth unless a key is configured (a
/// reverse proxy in front), then Bearer.
class ollama_format final : public wire_format {
 public:
  engine::provider_kind kind() const noexcept override {
    return engine::provider_kind::ollama;
  }

  void build_request(const engine::call_request& req, bool stream,
                     std::string_view base_path,
                     http::client_request& out) const override;

  void authorize(std::string_view key,
                 http::header_list& headers) const override;

  bool parse_response(std::string& body,
                      engine::call_result& result) const override;

  std::unique_ptr<stream_decoder> make_stream_decoder() const override;

  /// stop -> stop, length -> length; a tool call makes it tool_calls.
  [[nodiscard]] static std::string_view
  normalize_done_reason(std::string_view reason) noexcept;
};

} // namespace switchyard::providers
