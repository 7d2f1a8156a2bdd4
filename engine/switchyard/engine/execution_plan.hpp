#pragma once

#include "switchyard/engine/money.hpp"
#include "switchyard/engine/task_type.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

/// The shape a task runs in (DESIGN.md "Execution plans").
enum class plan_kind : std::uint8_t {
  /// One routed call.
  single,
  /// A planning call (routed as a simple task) writes a short numbered
  /// plan; an execution call answers with the plan in its context.
  chain,
  /// Role specialists in parallel, then one synthesis call.
  specialists,
  /// Specialists, then a critic scores the synthesis; below the threshold,
  /// bounded revision rounds.
  critic,
};

[[nodiscard]] std::string_view to_string(plan_kind k) noexcept;

/// "single", "chain", "specialists" or "critic"; none for anything else.
[[nodiscard]] std::optional<plan_kind> plan_kind_from(std::string_view name);

/// One step of a plan. Each is a routed call of its own.
struct plan_step {
  /// "answer", "planner", "executor", a specialist's role, "synthesis",
  /// "critic".
  std::string role;
  /// The tier the step is routed as: the planner as a simple task, the
  /// rest as the task's own.
  complexity_tier route_as = complexity_tier::simple;
  /// Runs in parallel with the other specialists.
  bool specialist = false;
  /// The step whose answer is the task's (it alone gets the tools, images
  /// and response_format; it is the one that streams).
  bool final = false;
};

struct execution_plan {
  plan_kind kind = plan_kind::single;
  std::vector<plan_step> steps;
  /// critic: revision rounds allowed after the first synthesis.
  std::uint32_t max_revisions = 0;
};

/// What the plan is built from.
struct plan_request {
  complexity_tier tier = complexity_tier::simple;
  task_type type = task_type::general;
  /// The caller's choice, over the tier's.
  std::optional<plan_kind> requested;
  /// The conversation offers tools or holds tool calls: an agent's turn
  /// runs single unless the caller asks for a plan.
  bool agent_turn = false;
  /// The caller asked for an ensemble (`parallel`): the task runs single,
  /// as that ensemble, unless the caller asks for a plan too.
  bool ensemble_requested = false;
  /// The specialists' roles for the task type; empty takes
  /// default_roles(type).
  std::span<const std::string> roles;
  std::uint32_t max_revisions = 1;
};

/// The default specialist roles of a task type: research, implementation
/// and review for the code types, research, analysis and review otherwise.
[[nodiscard]] std::vector<std::string> default_roles(task_type type);

/// The kind of plan build_plan makes for `r`, without building it.
[[nodiscard]] plan_kind plan_kind_for(const plan_request& r) noexcept;

/// The plan for a task: the caller's kind when given, else single for an
/// agent's turn or an ensemble the caller asked for, else by tier (simple: single, moderate: chain, complex:
/// specialists, critical: critic).
[[nodiscard]] execution_plan build_plan(const plan_request& r);

/// A plan cut to what the budget can cover.
struct fitted_plan {
  execution_plan plan;
  /// Roles dropped to fit, in the order they were dropped.
  std::vector<std::string> dropped;
  /// Empty when the plan fits; else why not even its shortest form does.
  std::string refusal;
};

/// Shortens `plan` until the worst cases of its steps (`worst_case[i]` for
/// `plan.steps[i]`, the critic's counted once per possible round) fit in
/// `left`: the critic goes first (with its revisions), then specialists
/// from the last (at least one stays). A chain or a single plan is not
/// shortened. Refused when the shortest form still costs more than `left`.
[[nodiscard]] fitted_plan fit_to_budget(const execution_plan& plan,
                                        std::span<const usd_nanos> worst_case,
                                        usd_nanos left);

/// Whether a critic's score asks for another revision: below `threshold`
/// and fewer than the plan's max_revisions done.
[[nodiscard]] bool wants_revision(const execution_plan& plan,
                                  std::uint32_t revisions_done, double score,
                                  double threshold) noexcept;

} // namespace switchyard::engine
