#pragma once

// POST /v1/responses, OpenAI's Responses API, stateless: the caller sends
// the whole conversation in `input` every turn (previous_response_id and
// store: true are refused), and gets `message` and `function_call` items
// back. Reasoning is never shown as a `reasoning` item: a Responses client
// sends its output back as the next input, and switchyard cannot carry
// OpenAI's encrypted reasoning to another provider, so it refuses
// reasoning items on input and so emits none.

#include "switchyard/engine/registry.hpp"
#include "switchyard/gateway/api_formats.hpp"
#include "switchyard/gateway/stream_encoder.hpp"
#include "switchyard/messages/task_messages.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace switchyard::gateway {

/// Parses a Responses request into the conversation model: `instructions`
/// becomes the first (system) message; `input` items become messages
/// (consecutive function_call items join one assistant turn, consecutive
/// function_call_output items one tool turn); function tools, tool_choice,
/// text.format, reasoning.effort and the sampling fields become options.
/// Anything the model cannot carry (built-in tools, input_file parts,
/// stored state) is a 400 naming the field. Tool-call ids are kept as the
/// client sent them: the gateway strips their model tags and sets the
/// sticky model for every API in one place.
[[nodiscard]] parsed_chat parse_responses_request(std::string_view body,
                                                  const header_lookup& headers,
                                                  const engine::registry& reg);

/// The id of the response a decision answers: "resp_" + 16 hex digits.
[[nodiscard]] std::string responses_id(std::uint64_t decision_id);

/// A non-streamed `response` object: a message item when there is text,
/// then one function_call item per tool call (ids as given: the gateway has
/// already tagged them), usage, and the request fields the SDK reads back.
[[nodiscard]] std::string
responses_body(const task_reply& r, const engine::registry& reg,
               std::int64_t created, const chat_request& req);

/// The stream of typed events (response.created ... response.completed)
/// for one response. `response_id` is responses_id(decision id); `model`
/// the registry id writing.
[[nodiscard]] std::unique_ptr<stream_encoder>
make_responses_encoder(std::string response_id, std::string model,
                       std::int64_t created, const chat_request& request);

} // namespace switchyard::gateway
