#pragma once

// The Responses API's `input` items, read into the conversation model.
// Library-internal: it includes simdjson (via request_parsing.hpp).

#include "switchyard/engine/conversation.hpp"
#include "switchyard/gateway/request_parsing.hpp"

#include <optional>
#include <vector>

namespace switchyard::gateway {

/// Appends `input` (a string, or an array of message, function_call and
/// function_call_output items) to `out`. Every item type and content part
/// the model cannot carry is a 400 naming it; nothing is skipped.
[[nodiscard]] std::optional<api_error>
read_responses_input(simdjson::dom::element input,
                     std::vector<engine::chat_message>& out);

} // namespace switchyard::gateway
