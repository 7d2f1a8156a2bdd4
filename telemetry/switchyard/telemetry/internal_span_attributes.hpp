#pragma once

#include <string_view>

/// The names of switchyard's internal spans (kind internal: work inside the
/// process, between the gateway's server span and the upstream client
/// spans) and the `switchyard.*` attributes only they carry, next to those
/// in switchyard_attributes.hpp. Names are lowercase and dot-separated, as
/// the semantic conventions' naming rules ask; a span name stays of low
/// cardinality (a plan step's role and an ensemble member's model are
/// drawn from the registry, as `chat {model}` is).
namespace switchyard::telemetry {

namespace span_names {

/// The root span of a task that arrived without a trace (an embedded
/// runtime's; the gateway's tasks hang under its server span).
inline constexpr std::string_view task = "switchyard.task";
/// One routing round: the classifier's or the scorer's decision.
inline constexpr std::string_view route = "switchyard.route";
/// A plan step, named `switchyard.plan_step {role}`.
inline constexpr std::string_view plan_step = "switchyard.plan_step";
/// An ensemble: its members in parallel, then the consensus.
inline constexpr std::string_view ensemble = "switchyard.ensemble";
/// One member of an ensemble, named `switchyard.ensemble_member {model}`.
inline constexpr std::string_view ensemble_member
  = "switchyard.ensemble_member";
/// The judge model's verdict on an ensemble's answers.
inline constexpr std::string_view judge = "switchyard.judge";
/// A budget reservation that waits on the scope's owner node (cluster).
inline constexpr std::string_view budget_reserve = "switchyard.budget_reserve";

} // namespace span_names

namespace attrs {

// -- the routing decision (switchyard.route) ----------------------------------

/// The rule that chose the model (string), e.g. `smallest_capable`, `none`.
inline constexpr std::string_view selection_rule = "switchyard.selection.rule";
/// The routing round, 1 for the task's first (int); a fallback chain that
/// ran out, or a refused budget, routes again.
inline constexpr std::string_view route_round = "switchyard.route.round";
/// How many fallbacks the decision lists after its model (int).
inline constexpr std::string_view fallbacks = "switchyard.route.fallbacks";
/// Whether the decision runs an ensemble (bool).
inline constexpr std::string_view parallel = "switchyard.parallel";

// -- plan steps (switchyard.plan_step) ----------------------------------------

/// The step's role (string): `planner`, `executor`, a specialist's role,
/// `synthesis`, `critic`, `answer`, `judge`, `escalation`.
inline constexpr std::string_view step_role = "switchyard.step.role";
/// The step's index in the plan's outcomes (int), as in the decision's
/// steps and `x-switchyard-steps`.
inline constexpr std::string_view step_index = "switchyard.step.index";
/// The tier the step was routed as (string).
inline constexpr std::string_view step_route_as = "switchyard.step.route_as";
/// The revision a synthesis or critic serves, 0 for the first (int).
inline constexpr std::string_view step_revision = "switchyard.step.revision";
/// The model that answered the step, or the last one tried (string).
inline constexpr std::string_view step_model = "switchyard.step.model";
/// How the step ended (string): `ok`, `failed`, `cut` (at the
/// specialists' deadline), `abandoned` (its task's caller went away), or
/// for a route-only plan `routed` / `unrouted`.
inline constexpr std::string_view step_outcome = "switchyard.step.outcome";
/// The step was cut at the specialists' deadline (bool).
inline constexpr std::string_view step_cut = "switchyard.step.cut";

// -- ensembles (switchyard.ensemble, switchyard.ensemble_member, ...) ---------

/// The consensus strategy (string): `judge`, `quality_weighted`, ...
inline constexpr std::string_view ensemble_strategy
  = "switchyard.ensemble.strategy";
/// The members' models (string[]).
inline constexpr std::string_view ensemble_members
  = "switchyard.ensemble.members";
/// Successful answers after which it proceeds (int); 0: all members.
inline constexpr std::string_view ensemble_quorum
  = "switchyard.ensemble.quorum";
/// Seconds after its start at which it proceeds with the answers it has
/// (double); absent: none.
inline constexpr std::string_view ensemble_deadline
  = "switchyard.ensemble.deadline";
/// The members cut once it proceeded (string[]).
inline constexpr std::string_view ensemble_cut = "switchyard.ensemble.cut";
/// The member whose answer won (string).
inline constexpr std::string_view ensemble_winner
  = "switchyard.ensemble.winner";
/// The judge gave no usable verdict: the members' predicted quality
/// decided (bool).
inline constexpr std::string_view judge_fallback
  = "switchyard.ensemble.judge_fallback";
/// The judge's model (string).
inline constexpr std::string_view judge_model = "switchyard.judge.model";
/// A member's model (string).
inline constexpr std::string_view member_model = "switchyard.member.model";
/// A member was cut, its call cancelled, once the ensemble proceeded
/// without it (bool).
inline constexpr std::string_view member_cut = "switchyard.member.cut";

// -- budget reservations at an owner node (switchyard.budget_reserve) ---------

/// The budget scope reserved in (string): `global`, `day:...`, `key:...`.
inline constexpr std::string_view budget_scope = "switchyard.budget.scope";
/// The node that owns the scope (string).
inline constexpr std::string_view budget_owner = "switchyard.budget.owner";
/// What was asked for, in US dollars (double).
inline constexpr std::string_view budget_amount_usd
  = "switchyard.budget.amount_usd";
/// Whether the owner granted it (bool).
inline constexpr std::string_view budget_granted = "switchyard.budget.granted";

} // namespace attrs

} // namespace switchyard::telemetry
