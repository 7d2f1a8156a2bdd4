#pragma once

#include "switchyard/engine/provider_call.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/task_messages.hpp"

namespace switchyard::actors {

/// The call that asks model `m` for task `t`: the task's conversation (or
/// its text as one user message), its sampling options, and `max_tokens`
/// (which keeps the call within its budget reservation).
[[nodiscard]] engine::call_request
build_call_request(const task_spec& t, const engine::model_spec& m,
                   std::uint32_t max_tokens);

/// The order for model `m`'s executor (see build_call_request); with
/// `on_event` set, a streamed call whose sink reports to it for task
/// `decision_id`, cut at `max_tokens`.
[[nodiscard]] call_order
build_call_order(std::uint64_t call_id, const task_spec& t,
                 const engine::model_spec& m, std::uint32_t max_tokens,
                 std::uint64_t decision_id,
                 const std::function<void(const stream_event&)>& on_event);

/// The call that asks a judge model to pick the best of `answers`.
[[nodiscard]] engine::call_request
build_judge_request(const task_spec& t, const engine::model_spec& judge,
                    const std::string& prompt, std::uint32_t max_tokens);

} // namespace switchyard::actors
