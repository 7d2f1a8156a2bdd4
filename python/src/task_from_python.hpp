#pragma once

#include "switchyard/messages/task_messages.hpp"

#include <pybind11/pybind11.h>

namespace switchyard::python {

/// Reads a task stated as the gateway's fields (a dict, or the keyword
/// arguments of route/execute/stream). Raises ValueError or TypeError naming
/// the field for anything it cannot read: an unknown key is an error, not
/// ignored, so that a typo never routes silently without its hint.
///
/// Fields: text (or prompt); messages (OpenAI chat messages: role, content
/// as text or parts with text / image_url, tool_calls, tool_call_id, name);
/// tools (OpenAI function tools, or {name, description, parameters});
/// tool_choice; response_format; task_type; complexity; complexity_score;
/// budget_usd; quality; max_latency_s; context_tokens; max_tokens
/// (max_output_tokens); requires (capability names); parallel; strategy;
/// force_model; sticky_model; budget_key; temperature; top_p; seed; stop;
/// parallel_tool_calls; user.
[[nodiscard]] task_spec task_from_python(const pybind11::dict& fields);

} // namespace switchyard::python
