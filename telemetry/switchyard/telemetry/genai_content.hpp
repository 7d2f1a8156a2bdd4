#pragma once

#include "switchyard/engine/conversation.hpp"
#include "switchyard/engine/provider_call.hpp"

#include <string>
#include <vector>

namespace switchyard::telemetry {

/// The Opt-In content attributes of the GenAI conventions (v1.37.0), as
/// JSON text: what `telemetry.capture_content` puts on upstream spans.
/// Parts are `text`, `reasoning`, `tool_call` (id, name, arguments),
/// `tool_call_response` (id, response) and, for images, `uri` (the URL) or
/// `blob` (the media type only: inline bytes are left out, they would
/// swamp the span).

/// `gen_ai.system_instructions`: the parts of the system and developer
/// messages, `[{"type":"text","content":"..."}]`; empty when none.
[[nodiscard]] std::string
system_instructions_json(const std::vector<engine::chat_message>& messages);

/// `gen_ai.input.messages`: the other messages,
/// `[{"role":"user","parts":[...]}]`.
[[nodiscard]] std::string
input_messages_json(const std::vector<engine::chat_message>& messages);

/// `gen_ai.output.messages`: the answer as one assistant message with its
/// finish reason.
[[nodiscard]] std::string output_messages_json(const engine::call_result& r);

} // namespace switchyard::telemetry
