#include "switchyard/actors/coordinator_actor.hpp"

#include "coordinator_requests.hpp"
#include "switchyard/actors/finished_task.hpp"
#include "switchyard/actors/task_routing.hpp"
#include "switchyard/engine/decision_ids.hpp"

#include <algorithm>
#include <caf/actor_cast.hpp>

namespace switchyard::actors::coordinator_detail {

namespace {

/// Whether `r`'s record may go to the log: there is a store, the task was
/// routed, and the log's queue takes one more (else it is dropped and
/// counted).
bool may_log(self_ptr self, const run_t& r) {
  const auto& st = self->state;
  return st.peers.storage && !r.rounds_log.empty()
         && (!st.peers.log_queue || st.peers.log_queue->try_enter());
}

/// Parks `rec` in the log queue while the storage actor gathers a batch
/// (no message, no wake of its thread), else sends it.
void send_to_log(self_ptr self, decision_record& rec) {
  const auto& st = self->state;
  if (st.peers.log_queue && st.peers.log_queue->park(rec))
    return;
  self->send(st.peers.storage, log_atom::value, std::move(rec));
}

/// Sends the decision record to the log before the caller gets the answer,
/// so that a runtime that drained its tasks has every record queued at the
/// store. The store behind: the record is dropped (and counted).
void log_decision(self_ptr self, run_t& r, const task_reply* out,
                  error_code error = error_code::none,
                  const std::string& text = {}) {
  if (!may_log(self, r))
    return;
  const auto& st = self->state;
  auto rec = task_decision_record(r, out, st.ctx.seed, error, text);
  send_to_log(self, rec);
}

} // namespace

void log_plan(self_ptr self, run_t& r, const task_reply* out,
              error_code error, const std::string& text) {
  if (!may_log(self, r))
    return;
  const auto& st = self->state;
  auto rec = task_decision_record(r, out, st.ctx.seed, error, text);
  auto& p = *r.plan;
  rec.plan = p.flow.kind();
  rec.plan_dropped = p.flow.dropped();
  const auto& outcomes = p.flow.outcomes();
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    plan_step_record step{outcomes[i], {}, {}};
    if (i < p.rounds.size())
      step.rounds = std::move(p.rounds[i]);
    if (i < p.replies.size())
      step.attempts = p.replies[i].attempts;
    rec.steps.push_back(std::move(step));
  }
  send_to_log(self, rec);
}

void finish(self_ptr self, run_t& r, const task_step& s,
            engine::call_result* answer) {
  if (r.parent != 0)
    keep_step_rounds(self, r);
  if (!r.executes()) {
    if (r.parent == 0)
      log_decision(self, r, nullptr, s.error, s.message);
    r.on_route->fn(route_result{s.error, s.message, r.decision_id,
                                std::move(r.flow.current()),
                                engine::plan_kind::single,
                                {},
                                {}});
  } else {
    auto out = task_answer(
      r, s, answer,
      std::chrono::duration<double, std::milli>(self->clock().now() - r.started)
        .count());
    if (r.parent == 0 && out.ok())
      credit_answer(self, r, out.model);
    if (r.parent == 0)
      log_decision(self, r, &out);
    r.on_task->fn(std::move(out));
  }
  self->state.runs.erase(r.decision_id);
}

void drive(self_ptr self, std::uint64_t id, task_step s,
           telemetry::active_span* route_span) {
  auto r = find_run(self, id);
  if (r == nullptr)
    return;
  if (s.arm_assigned)
    self->send(self->state.peers.learning, assign_atom::value,
               experiment_assignment{id, r->flow.experiment(),
                                     r->flow.experiment_arm()});
  if (s.decision_taken && r->parent == 0) {
    auto& d = r->flow.current();
    self->send(self->state.peers.learning, route_atom::value, id, d.model,
               d.cls.type, std::move(d.features), std::move(d.prompt_terms),
               decision_owner(r->spec.budget_key));
  }
  if (!r->plan_checked
      && (s.action == task_action::reserve
          || s.action == task_action::answer_route)
      && start_plan(self, id, *r, route_span))
    return;
  if (route_span != nullptr)
    route_span->end();
  switch (s.action) {
    case task_action::classify:
    case task_action::score:
      route(self, id, *r, s.action == task_action::classify);
      return;
    case task_action::reserve: reserve(self, id, *r, s); return;
    case task_action::call: call_model(self, id, *r, s); return;
    case task_action::run_ensemble: call_ensemble(self, id, *r); return;
    case task_action::await_approval:
      self->delayed_send(caf::actor_cast<coordinator_actor>(self),
                         self->state.approval_timeout, timeout_atom::value, id);
      return;
    case task_action::answer_route:
    case task_action::succeed:
    case task_action::fail: finish(self, *r, s, nullptr); return;
  }
}

namespace {

/// Takes a task in and starts its flow; exactly one of the completions is
/// set.
void admit(self_ptr self, task_spec spec, route_completion_ptr on_route,
           task_completion_ptr on_task) {
  auto& st = self->state;
  auto id = st.decision_id_prefix | (++st.next_decision * st.shards + st.shard);
  bool execute = on_task != nullptr;
  auto& r = st.runs.try_emplace(id, reg(self), std::move(spec), execute)
              .first->second;
  r.decision_id = id;
  r.on_route = std::move(on_route);
  r.on_task = std::move(on_task);
  r.started = self->clock().now();
  r.created_unix_ms = st.ctx.wall_now_ms();
  drive(self, id, r.flow.start());
}

} // namespace

} // namespace switchyard::actors::coordinator_detail

namespace switchyard::actors {

using namespace coordinator_detail;

coordinator_actor::behavior_type
coordinator(coordinator_actor::stateful_pointer<coordinator_state> self,
            runtime_context ctx, coordinator_peers peers,
            std::chrono::milliseconds approval_timeout, std::uint64_t shard,
            std::uint64_t shards, coordinator_start start) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.peers = std::move(peers);
  st.approval_timeout = approval_timeout;
  st.shard = shard;
  st.shards = std::max<std::uint64_t>(shards, 1);
  // Ids are (n * shards + shard) with n counting up from here, so every new
  // id is above the last one logged, whatever the shard count was then.
  st.next_decision = (start.last_decision_id & engine::decision_counter_mask)
                     / st.shards;
  st.decision_id_prefix = start.decision_id_prefix;
  st.experiments = std::move(start.experiments);
  return {
    [self](route_atom, task_spec& spec, route_completion_ptr& done) {
      admit(self, std::move(spec), std::move(done), nullptr);
    },
    [self](execute_atom, task_spec& spec, task_completion_ptr& done) {
      admit(self, std::move(spec), nullptr, std::move(done));
    },
    [self](approve_atom, std::uint64_t id, bool approved) {
      auto r = find_run(self, id);
      auto step = r != nullptr ? r->flow.approval(approved) : std::nullopt;
      if (step)
        drive(self, id, std::move(*step));
      return step.has_value();
    },
    [self](pending_atom) {
      std::vector<std::uint64_t> ids;
      for (const auto& [id, r] : self->state.runs)
        if (r.flow.awaiting_approval())
          ids.push_back(id);
      std::sort(ids.begin(), ids.end());
      return ids;
    },
    [self](experiment_atom, std::vector<engine::experiment_spec>& specs) {
      self->state.experiments = std::move(specs);
    },
    [self](timeout_atom, std::uint64_t id, std::uint32_t) {
      plan_deadline(self, id);
    },
    [self](timeout_atom, std::uint64_t id) {
      auto r = find_run(self, id);
      auto step = r != nullptr ? r->flow.approval_timed_out(
                    self->state.approval_timeout.count())
                               : std::nullopt;
      if (step)
        drive(self, id, std::move(*step));
    },
  };
}

} // namespace switchyard::actors
