#pragma once

#include "switchyard/gateway/stream_encoder.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace switchyard::gateway {

/// One server-sent event with only a data line: `data: JSON\n\n`.
[[nodiscard]] std::string sse_data(std::string_view json);

/// A named server-sent event: `event: NAME\ndata: JSON\n\n`.
[[nodiscard]] std::string sse_event(std::string_view name,
                                    std::string_view json);

/// OpenAI `chat.completion.chunk` data lines ending in `data: [DONE]`
/// (never after an error): text as `delta.content`, tool calls as
/// `delta.tool_calls[]` (id, type and name on a call's first fragment
/// only); reasoning is the model's own and is not shown.
[[nodiscard]] std::unique_ptr<stream_encoder>
make_openai_encoder(std::string id, std::string model, std::int64_t created,
                    bool include_usage);

/// Anthropic's message_start ... message_stop events. Blocks are opened as
/// the answer needs them, one at a time, with increasing indexes: text,
/// tool_use (input_json_delta fragments) and, for reasoning an Anthropic
/// upstream made, thinking (thinking_delta, signature_delta) and
/// redacted_thinking.
[[nodiscard]] std::unique_ptr<stream_encoder>
make_anthropic_encoder(std::string id, std::string model);

} // namespace switchyard::gateway
