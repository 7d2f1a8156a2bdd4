#pragma once

// The coordinator's parts (see coordinator_actor.cpp, the driver, and
// coordinator_requests.cpp, what it asks its peers): private to the actor.

#include "switchyard/actors/coordinator_actor.hpp"
#include "switchyard/telemetry/active_span.hpp"

namespace switchyard::actors::coordinator_detail {

using self_ptr = coordinator_actor::stateful_pointer<coordinator_state>;
using run_t = coordinator_state::task_run;
using engine::task_action;
using engine::task_step;

inline const engine::registry& reg(self_ptr self) {
  return *self->state.ctx.registry;
}

inline run_t* find_run(self_ptr self, std::uint64_t id) {
  auto i = self->state.runs.find(id);
  return i == self->state.runs.end() ? nullptr : &i->second;
}

/// Whether the task's caller abandoned it (its client went away).
bool abandoned(const run_t& r);

/// The decision id the task's caller sees: a plan step's is its plan's
/// (step ids are never shown nor logged).
inline std::uint64_t shown_decision_id(const run_t& r) noexcept {
  return r.parent != 0 ? r.parent : r.decision_id;
}

/// The trace the task's own spans hang under (its routing rounds, its
/// ensemble), with its shown decision id; null when it is not traced.
inline telemetry::trace_parent_ptr task_trace(const run_t& r) {
  return telemetry::with_decision(r.spec.trace, shown_decision_id(r));
}

// -- the driver (coordinator_actor.cpp) ---------------------------------------

/// Does what the flow asks next. `route_span` is the span of the routing round
/// that just decided, if any: it ends once the task's plan is chosen (on
/// its first round) and before anything else the step asks happens.
void drive(self_ptr self, std::uint64_t id, task_step s,
           telemetry::active_span* route_span = nullptr);

/// Answers the task (with `answer` when it succeeded) and forgets it.
void finish(self_ptr self, run_t& r, const task_step& s,
            engine::call_result* answer);

/// Sends a plan's decision record, with its steps, to the log: with the
/// caller's answer when it executed (`out`), else the error it ended with.
void log_plan(self_ptr self, run_t& r, const task_reply* out,
              error_code error = error_code::none,
              const std::string& text = {});

// -- plans (coordinator_plans.cpp) ---------------------------------------------

/// At the task's first reservation (or its route answer): runs it as a plan
/// when it is not a single call, and says whether it does. A plan's kind
/// goes on `route_span` (the routing round's span, may be null), which ends
/// before the steps start.
bool start_plan(self_ptr self, std::uint64_t id, run_t& r,
                telemetry::active_span* route_span);

/// A plan's specialists reached their deadline.
void plan_deadline(self_ptr self, std::uint64_t id);

/// A step ends: its routing rounds go to its plan's record.
void keep_step_rounds(self_ptr self, run_t& child);

// -- what it asks its peers (coordinator_requests.cpp) ------------------------

/// Tells learning what an attempt says about its model.
void record_outcome(self_ptr self, const run_t& r, const attempt_record& a);

/// Tells learning which model answered a task when it is not the first
/// model routed, so that feedback on the decision rates the answer's
/// author.
void credit_answer(self_ptr self, const run_t& r, std::uint16_t model);

/// Routes `r`: the classifier for the first round, the scorer after.
void route(self_ptr self, std::uint64_t id, run_t& r, bool first);

/// Reserves what the step asks (at once with no reservation while no cap is
/// set) and reports the ledger's answer to the flow.
void reserve(self_ptr self, std::uint64_t id, run_t& r, const task_step& s);

/// Sends the call to the model's executor; its reservation settles with
/// the call's cost even when the task is gone.
void call_model(self_ptr self, std::uint64_t id, run_t& r, const task_step& s);

/// Hands the ensemble to the judge; its reservation settles with the
/// ensemble's cost.
void call_ensemble(self_ptr self, std::uint64_t id, run_t& r);

} // namespace switchyard::actors::coordinator_detail
