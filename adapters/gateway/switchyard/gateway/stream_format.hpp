#pragma once

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/messages/task_messages.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::gateway {

/// Server-sent events in the client's format, whatever the upstream's:
/// OpenAI `chat.completion.chunk` data lines ending in `data: [DONE]`, or
/// Anthropic's message_start ... message_stop events.
class sse_encoder {
public:
  enum class api { openai, anthropic };

  sse_encoder(api format, std::string id, std::string model,
              std::int64_t created, bool include_usage)
    : format_(format),
      id_(std::move(id)),
      model_(std::move(model)),
      created_(created),
      include_usage_(include_usage) {
  }

  /// The events that open the stream.
  [[nodiscard]] std::string start(std::uint32_t input_tokens) const;

  /// One piece of text.
  [[nodiscard]] std::string delta(std::string_view text) const;

  /// The events that close a successful stream.
  [[nodiscard]] std::string finish(std::string_view finish_reason,
                                   std::uint32_t input_tokens,
                                   std::uint32_t output_tokens) const;

  /// An error event: the stream ends with it, never with a clean finish.
  [[nodiscard]] std::string error(std::string_view type,
                                  std::string_view message) const;

private:
  /// Opens a `chat.completion.chunk` object: id, object, created, model.
  void open_openai_chunk(engine::json_writer& w) const;

  api format_;
  std::string id_;
  std::string model_;
  std::int64_t created_;
  bool include_usage_;
};

} // namespace switchyard::gateway
