#pragma once

#include "switchyard/engine/execution_plan.hpp"
#include "switchyard/engine/plan_policy.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace switchyard::engine {

/// A specialist's or another step's output, named by its role, for the
/// steps that read it.
struct step_note {
  std::string_view role;
  std::string_view text;
};

/// The planner's instruction: a short numbered plan, not the answer.
[[nodiscard]] std::string planner_instruction();

/// The executor's: follow the planner's plan.
[[nodiscard]] std::string executor_instruction(std::string_view plan);

/// A specialist's instruction: the registry's prompt for `role` under
/// `type` when `policy` has one, else the built-in one for the role name.
[[nodiscard]] std::string specialist_instruction(const plan_policy& policy,
                                                 task_type type,
                                                 std::string_view role);

/// The synthesis: merge the specialists' notes into one answer; on a
/// revision, also the previous answer and the critic's objections.
[[nodiscard]] std::string
synthesis_instruction(std::span<const step_note> notes,
                      std::string_view previous_answer = {},
                      std::string_view critique = {});

/// A critic's or an escalation judge's instruction: rate the answer to the
/// task from 0 to 10 on a first line "SCORE: <n>", then the problems.
[[nodiscard]] std::string rating_instruction();

/// The user turn a rating step reads: the task, then the answer.
[[nodiscard]] std::string rating_input(std::string_view task,
                                       std::string_view answer);

/// The score a rating wrote, as 0..1: the first number after "score"
/// (case-insensitive), read as n/10 when above 1 (or "n/10"); none when
/// there is none or it is out of range.
[[nodiscard]] std::optional<double> parse_rating(std::string_view text);

} // namespace switchyard::engine
