#include "coordinator_requests.hpp"

#include "switchyard/actors/finished_task.hpp"
#include "switchyard/actors/plan_step_spec.hpp"
#include "switchyard/engine/cancel_token.hpp"
#include "switchyard/engine/decision_ids.hpp"
#include "switchyard/telemetry/internal_spans.hpp"

#include <caf/actor_cast.hpp>

namespace switchyard::actors::coordinator_detail {

namespace {

using engine::plan_action;
using engine::plan_next;

double ms_since(self_ptr self, caf::actor_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(self->clock().now() - t)
    .count();
}

/// The plan a task runs, and whether a single call is rated for quality
/// escalation.
struct chosen_plan {
  engine::execution_plan plan;
  bool escalate = false;
};

/// The plan the task runs: none for a single call without escalation (the
/// common case, which builds nothing and, for a simple task, reads nothing
/// of the conversation).
std::optional<chosen_plan> plan_for(self_ptr self, const run_t& r) {
  const auto& reg = coordinator_detail::reg(self);
  const auto& d = r.flow.current();
  // A task in an A/B test is one call on its arm's model: the test
  // compares models, not plans.
  if (!r.flow.experiment().empty())
    return std::nullopt;
  // A caller who names the model wants that model's answer.
  if (!r.spec.force_model.empty() && !r.spec.plan)
    return std::nullopt;
  bool may_escalate = reg.plans.escalate_below_quality.has_value()
                      && r.executes() && !d.parallel
                      && r.spec.force_model.empty()
                      && (!r.on_task->on_event || r.spec.escalate_buffered);
  engine::plan_request req;
  req.tier = d.cls.tier;
  req.type = d.cls.type;
  req.requested = r.spec.plan;
  if (!req.requested && req.tier == engine::complexity_tier::simple
      && !may_escalate)
    return std::nullopt;
  req.agent_turn = is_agent_turn(r.spec);
  req.ensemble_requested = r.spec.parallel;
  req.max_revisions = reg.plans.max_revisions;
  bool escalate = may_escalate && !req.agent_turn;
  auto kind = engine::plan_kind_for(req);
  if (kind == engine::plan_kind::single && !escalate)
    return std::nullopt;
  std::vector<std::string> roles;
  for (const auto& role : reg.plans.roles[static_cast<std::size_t>(d.cls.type)])
    roles.push_back(role.name);
  req.roles = roles;
  return chosen_plan{engine::build_plan(req),
                     escalate && kind == engine::plan_kind::single};
}

void apply(self_ptr self, std::uint64_t id, plan_next n);

/// A traced step's span, with what tells how it ended: its own cancel
/// token is cancelled only when the plan cuts it, unless its task's was
/// (the caller went away).
struct step_trace {
  telemetry::active_span span;
  std::shared_ptr<engine::cancel_token> own;
  std::shared_ptr<engine::cancel_token> task;

  [[nodiscard]] std::string_view cancelled_as() const noexcept {
    if (task && task->cancelled())
      return "abandoned";
    return own && own->cancelled() ? "cut" : "";
  }
};

/// The step's span once its answer is in: outcome, model and cost.
void end_step_span(step_trace& t, const task_reply& rep,
                   const engine::registry& reg) {
  if (!t.span.recording()) {
    t.span.end();
    return;
  }
  telemetry::step_end end;
  end.cost_nanos = rep.cost_nanos;
  std::string model;
  if (rep.ok() || !rep.attempts.empty()) {
    model = telemetry::model_id(
      reg, rep.ok() || rep.attempts.empty() ? rep.model
                                            : rep.attempts.back().model);
    end.model = model;
  }
  auto cancelled = t.cancelled_as();
  end.outcome = rep.ok() ? "ok" : !cancelled.empty() ? cancelled : "failed";
  end.error = to_string(rep.error);
  telemetry::describe_step_end(t.span, end);
  t.span.end();
}

/// Starts a step as a task run of its own that answers the plan.
void admit_step(self_ptr self, std::uint64_t plan_id, run_t& parent,
                const engine::step_launch& l) {
  auto& st = self->state;
  // Steps are never logged nor seen by the caller: their ids come from a
  // space of their own, so that the task ids stay consecutive.
  auto cid = st.decision_id_prefix | engine::plan_step_id_bit
             | (++st.next_step & (engine::plan_step_id_bit - 1));
  auto spec = plan_step_spec(parent.spec, parent.flow.current(), l, reg(self));
  // A token of its own, so that the step can be cut alone; the task's
  // (its client going away) cancels it too.
  spec.cancel = std::make_shared<engine::cancel_token>();
  if (parent.spec.cancel
      && !parent.spec.cancel->on_cancel([t = spec.cancel] { t->cancel(); }))
    spec.cancel->cancel();
  auto& p = *parent.plan;
  // The step's span, a child of the task's: the step's routing rounds and
  // attempts hang under it.
  std::shared_ptr<step_trace> traced;
  if (parent.spec.trace) {
    const auto& outcome = p.flow.outcomes()[l.step];
    traced = std::make_shared<step_trace>(step_trace{
      telemetry::start_span(task_trace(parent),
                            telemetry::plan_step_span_name(outcome.role)),
      spec.cancel, parent.spec.cancel});
    telemetry::describe_step(traced->span, l.step, outcome, p.flow.kind());
    spec.trace = traced->span.as_parent();
  }
  auto& c = st.runs
              .try_emplace(cid, reg(self), std::move(spec), parent.executes(),
                           l.avoid, true)
              .first->second;
  c.decision_id = cid;
  c.parent = plan_id;
  c.step = l.step;
  c.plan_checked = true;
  c.started = self->clock().now();
  c.created_unix_ms = parent.created_unix_ms;
  auto at = l.step;
  if (p.started_ms.size() <= at) {
    p.started_ms.resize(at + 1, 0.0);
    p.replies.resize(at + 1);
    p.rounds.resize(at + 1);
    p.cancels.resize(at + 1);
  }
  p.cancels[at] = c.spec.cancel;
  p.started_ms[at] = ms_since(self, parent.started);
  if (parent.executes()) {
    auto done = std::make_shared<task_completion>();
    done->fn = [self, plan_id, at, traced](task_reply rep) {
      if (traced)
        end_step_span(*traced, rep, reg(self));
      auto r = find_run(self, plan_id);
      if (r == nullptr || !r->plan)
        return;
      auto& pr = *r->plan;
      engine::step_result sr;
      sr.ok = rep.ok();
      sr.has_model = rep.ok() || !rep.attempts.empty();
      sr.model = rep.ok() || rep.attempts.empty() ? rep.model
                                                  : rep.attempts.back().model;
      sr.text = rep.text;
      sr.tool_call_only = rep.text.empty()
                          && std::any_of(rep.content.begin(), rep.content.end(),
                                         [](const engine::content_part& part) {
                                           return part.kind
                                                  == engine::part_kind::tool_call;
                                         });
      sr.cost_nanos = rep.cost_nanos;
      sr.started_ms = pr.started_ms[at];
      sr.latency_ms = rep.latency_ms;
      sr.input_tokens = rep.input_tokens;
      sr.output_tokens = rep.output_tokens;
      sr.error = rep.error;
      sr.message = rep.error_message;
      sr.routed = &rep.decision;
      auto next = pr.flow.finished(at, std::move(sr));
      pr.replies[at] = std::move(rep);
      apply(self, plan_id, std::move(next));
    };
    if (l.final && p.stream_live && parent.on_task->on_event)
      done->on_event = [on_event = parent.on_task->on_event, plan_id,
                        kind = p.flow.kind()](const stream_event& ev) {
        on_event({plan_id, ev.model, ev.chunk, kind});
      };
    c.on_task = std::move(done);
  } else {
    auto done = std::make_shared<route_completion>();
    done->fn = [self, plan_id, at, traced](route_result rr) {
      if (traced) {
        auto has = rr.decision.has_model();
        auto model = has ? telemetry::model_id(reg(self), rr.decision.model)
                         : std::string{};
        telemetry::describe_step_end(
          traced->span, {has ? "routed" : "unrouted", model, 0, {}});
        traced->span.end();
      }
      auto r = find_run(self, plan_id);
      if (r == nullptr || !r->plan)
        return;
      r->plan->flow.routed(at, rr.decision.has_model(), rr.decision.model);
      if (--r->plan->routing > 0)
        return;
      log_plan(self, *r, nullptr);
      route_result out;
      out.decision_id = plan_id;
      out.decision = std::move(r->flow.current());
      out.plan = r->plan->flow.kind();
      out.steps = r->plan->flow.outcomes();
      out.plan_dropped = r->plan->flow.dropped();
      r->on_route->fn(std::move(out));
      self->state.runs.erase(plan_id);
    };
    c.on_route = std::move(done);
  }
  drive(self, cid, c.flow.start());
}

/// The plan's answer: the step it names, with everything every step spent
/// and tried.
void finish_plan(self_ptr self, std::uint64_t id, run_t& r,
                 const plan_next& n) {
  auto& p = *r.plan;
  task_reply out;
  out.decision_id = id;
  out.plan = p.flow.kind();
  out.steps = p.flow.outcomes();
  out.error = n.error;
  out.error_message = n.message;
  for (auto& rep : p.replies) {
    out.cost_nanos += rep.cost_nanos;
    out.attempts.insert(out.attempts.end(), rep.attempts.begin(),
                        rep.attempts.end());
  }
  if (n.action == plan_action::succeed) {
    // The answer's usage is its own step's (each step's is in `steps`);
    // the cost is every step's.
    auto& a = p.replies[n.answer_step];
    out.input_tokens = a.input_tokens;
    out.output_tokens = a.output_tokens;
    out.model = a.model;
    out.text = std::move(a.text);
    out.content = std::move(a.content);
    out.finish_reason = std::move(a.finish_reason);
    out.parallel = a.parallel;
    out.decision = std::move(a.decision);
    credit_answer(self, r, out.model);
  } else {
    out.decision = r.flow.current();
  }
  out.latency_ms = ms_since(self, r.started);
  log_plan(self, r, &out);
  r.on_task->fn(std::move(out));
  self->state.runs.erase(id);
}

void apply(self_ptr self, std::uint64_t id, plan_next n) {
  auto r = find_run(self, id);
  if (r == nullptr)
    return;
  for (auto step : n.cut)
    if (step < r->plan->cancels.size() && r->plan->cancels[step])
      r->plan->cancels[step]->cancel();
  switch (n.action) {
    case plan_action::wait: break;
    case plan_action::launch:
      if (n.deadline_ms > 0)
        self->delayed_send(caf::actor_cast<coordinator_actor>(self),
                           std::chrono::milliseconds{n.deadline_ms},
                           timeout_atom::value, id, n.deadline_ms);
      for (const auto& l : n.launches)
        if (auto parent = find_run(self, id))
          admit_step(self, id, *parent, l);
      break;
    case plan_action::succeed:
    case plan_action::fail:
      if (!r->executes()) {
        log_plan(self, *r, nullptr, n.error, n.message);
        r->on_route->fn(route_result{n.error, n.message, id,
                                     std::move(r->flow.current()),
                                     r->plan->flow.kind(),
                                     r->plan->flow.outcomes(),
                                     r->plan->flow.dropped()});
        self->state.runs.erase(id);
        return;
      }
      finish_plan(self, id, *r, n);
      return;
  }
}

} // namespace

bool start_plan(self_ptr self, std::uint64_t id, run_t& r,
                telemetry::active_span* route_span) {
  r.plan_checked = true;
  auto chosen = plan_for(self, r);
  if (!chosen)
    return false;
  if (route_span != nullptr) {
    telemetry::describe_plan(*route_span, chosen->plan.kind);
    route_span->end();
  }
  const auto& d = r.flow.current();
  engine::plan_settings settings{d.budget_cap, chosen->escalate};
  auto kind = chosen->plan.kind;
  r.plan = std::make_unique<plan_run>(engine::plan_flow{
    reg(self), std::move(chosen->plan), d, r.spec.text, settings});
  r.plan->stream_live = kind == engine::plan_kind::chain
                        || kind == engine::plan_kind::specialists;
  if (!r.executes()) {
    auto n = r.plan->flow.route_all();
    r.plan->routing = n.launches.size();
    apply(self, id, std::move(n));
    return true;
  }
  apply(self, id, r.plan->flow.start());
  return true;
}

void plan_deadline(self_ptr self, std::uint64_t id) {
  auto r = find_run(self, id);
  if (r != nullptr && r->plan)
    apply(self, id, r->plan->flow.deadline_passed());
}

void keep_step_rounds(self_ptr self, run_t& child) {
  auto parent = find_run(self, child.parent);
  if (parent == nullptr || !parent->plan
      || child.step >= parent->plan->rounds.size())
    return;
  parent->plan->rounds[child.step] = std::move(child.rounds_log);
}

} // namespace switchyard::actors::coordinator_detail
