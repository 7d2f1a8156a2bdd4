#include "stream_output.hpp"

#include "json_support.hpp"

#include <string>

namespace switchyard::providers::detail {

void stream_output::emit(const engine::stream_chunk& chunk) const {
  if (on_chunk)
    on_chunk(chunk);
}

void stream_output::emit_text(std::string_view delta,
                              std::string_view reasoning) const {
  if (delta.empty() && reasoning.empty())
    return;
  engine::stream_chunk chunk;
  chunk.delta = delta;
  chunk.reasoning = reasoning;
  emit(chunk);
}

simdjson::error_code
stream_output::error_event(engine::call_error error, std::string_view kind,
                           std::string_view message) const {
  std::string text = "error event in stream: ";
  if (!kind.empty()) {
    text += kind;
    text += ": ";
  }
  text += message.empty() ? "(none)" : message;
  fail_upstream(result, error, std::move(text));
  return simdjson::SUCCESS;
}

void stream_output::emit_finish(std::string_view finish_reason,
                                bool with_usage) const {
  if (finish_reason.empty() && !with_usage)
    return;
  engine::stream_chunk chunk;
  chunk.finish_reason = finish_reason;
  if (with_usage) {
    chunk.input_tokens = result.input_tokens;
    chunk.output_tokens = result.output_tokens;
  }
  emit(chunk);
}

} // namespace switchyard::providers::detail
