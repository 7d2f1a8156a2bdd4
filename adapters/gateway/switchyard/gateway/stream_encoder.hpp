#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::gateway {

/// Turns one streamed answer into server-sent events in the client's API
/// format, whatever the upstream's. The streaming handler owns one per
/// response, creates it when the first chunk arrives (the model writing is
/// known then), calls `start` once, then one method per piece of the
/// answer in the order the pieces arrive, then exactly one of `finish` or
/// `error`. Every method returns the bytes to write now (possibly empty):
/// nothing is held back to the end, so fragments reach the client as they
/// arrive. Calls are serialised by the handler; an encoder needs no lock.
///
/// Tool-call ids arrive already in the form the client sees (tagged with
/// the model, see engine::tool_call_ids); an encoder writes them as given.
class stream_encoder {
 public:
  virtual ~stream_encoder() = default;

  /// The events that open the stream. `input_tokens` is the prompt's size
  /// when the upstream said it at the start (0 otherwise).
  [[nodiscard]] virtual std::string start(std::uint32_t input_tokens) = 0;

  /// A piece of the answer's text.
  [[nodiscard]] virtual std::string text(std::string_view delta) = 0;

  /// A fragment of tool call number `index` (0, 1, ... in this answer, as
  /// engine::stream_chunk::tool_index). `id` and `name` are non-empty on
  /// the call's first fragment only; `arguments` is the next piece of its
  /// arguments' JSON text (possibly empty). A whole call (an answer that
  /// came whole) is one call with all three set. Fragments of different
  /// calls, and text, may interleave.
  [[nodiscard]] virtual std::string
  tool_call(std::uint32_t index, std::string_view id, std::string_view name,
            std::string_view arguments)
    = 0;

  /// A piece of the model's reasoning, and/or its signature (which comes
  /// once, when the block ends). `source` is the wire format that made it
  /// ("anthropic", "gemini", or empty): a format shows signed reasoning only
  /// when it made it (Anthropic's thinking blocks), and may drop the rest.
  [[nodiscard]] virtual std::string reasoning(std::string_view delta,
                                              std::string_view signature,
                                              std::string_view source)
    = 0;

  /// An opaque redacted reasoning block (Anthropic's redacted_thinking
  /// `data`), from an answer that came whole; formats other than the one
  /// named by `source` drop it.
  [[nodiscard]] virtual std::string
  redacted_reasoning(std::string_view data, std::string_view source)
    = 0;

  /// The events that close a successful stream. `finish_reason` is the
  /// normalised one: "stop", "length", "tool_calls" or "content_filter".
  [[nodiscard]] virtual std::string finish(std::string_view finish_reason,
                                           std::uint32_t input_tokens,
                                           std::uint32_t output_tokens)
    = 0;

  /// An error event: the stream ends with it, never with a clean finish.
  /// `type` is the API's error type (e.g. "api_error").
  [[nodiscard]] virtual std::string
  error(std::string_view type, std::string_view message)
    = 0;
};

} // namespace switchyard::gateway
