#pragma once

#include "switchyard/engine/plan_flow.hpp"
#include "switchyard/messages/task_messages.hpp"

namespace switchyard::actors {

/// Whether a task is an agent's turn: its conversation offers tools or
/// holds tool calls. It runs single unless the caller asks for a plan.
[[nodiscard]] bool is_agent_turn(const task_spec& task) noexcept;

/// The routing fields every step of a plan shares, as the router reads
/// them: the task's type, the step's tier, the task's latency bound, never
/// an ensemble (task_spec::plan_step), and for the final step the task's
/// quality floor, requirements and sticky model. plan_step_spec builds a
/// step on it; replay rebuilds a logged step on it.
[[nodiscard]] task_spec step_routing(const task_spec& task,
                                     engine::task_type type,
                                     engine::complexity_tier route_as,
                                     bool final);

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
