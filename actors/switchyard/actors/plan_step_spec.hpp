#pragma once

#include "switchyard/engine/plan_flow.hpp"
#include "switchyard/messages/task_messages.hpp"

namespace switchyard::actors {

/// Whether a task is an agent's turn: its conversation offers tools or
/// holds tool calls. It runs single unless the caller asks for a plan.
[[nodiscard]] bool is_agent_turn(const task_spec& task) noexcept;

/// The task a plan's step runs as, routed on its own: the final step gets
/// the whole conversation (with its tools, images and response_format) and
/// the step's instruction among its instructions; any other step gets text
/// only, a system turn and a user turn. Routed as the step's tier and the
/// task's type, within the step's budget.
[[nodiscard]] task_spec plan_step_spec(const task_spec& task,
                                       const engine::decision& decided,
                                       const engine::step_launch& step,
                                       const engine::registry& reg);

} // namespace switchyard::actors
