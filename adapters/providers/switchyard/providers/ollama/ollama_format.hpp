#pragma once

#include "switchyard/providers/wire_format.hpp"

namespace switchyard::providers {

/// Ollama `POST {base}/api/chat`. Sampling goes in `options` (num_predict
/// is max_tokens); `stream` is always sent because Ollama streams unless
/// told not to. A stream is NDJSON: one object per line, the last with
/// `"done": true`, `done_reason`, `prompt_eval_count` (input tokens) and
/// `eval_count` (output tokens). No auth unless a key is configured (a
/// reverse proxy in front), then Bearer.
///
/// Images go as base64 `images` (a URL image is refused: the gateway never
/// fetches one); assistant `tool_calls` carry their arguments as an object;
/// each tool result is a `role: "tool"` message with `tool_name`, and a
/// failed one, whose `is_error` Ollama has no field for, goes as its text
/// prefixed with "Error: "; `format` is "json" or the schema. Ollama sends
/// calls whole and without ids: they are numbered `call_0`, `call_1`, ...
/// within the answer, and `message.thinking` comes back as unsigned
/// reasoning. tool_choice other than auto, parallel_tool_calls=false,
/// logprobs, reasoning_effort, thinking and a strict tool cannot be carried
/// and fail the call.
///
/// The model listing is `GET {base}/api/tags`, answering `{"models":
/// [{"name", "model"}]}`; names are reported as `name` spells them (with
/// the tag, e.g. `llama3.2:latest`).
class ollama_format final : public wire_format {
 public:
  engine::provider_kind kind() const noexcept override {
    return engine::provider_kind::ollama;
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

  /// stop -> stop, length -> length; a tool call makes it tool_calls.
  [[nodiscard]] static std::string_view
  normalize_done_reason(std::string_view reason) noexcept;
};

} // namespace switchyard::providers
