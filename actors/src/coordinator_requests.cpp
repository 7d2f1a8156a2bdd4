#include "coordinator_requests.hpp"

#include "switchyard/actors/call_request_builder.hpp"
#include "switchyard/engine/cancel_token.hpp"
#include "switchyard/telemetry/internal_span_attributes.hpp"
#include "switchyard/telemetry/internal_spans.hpp"

#include <utility>

namespace switchyard::actors::coordinator_detail {

namespace {

void settle(self_ptr self, const std::string& key,
            std::vector<std::uint64_t> ids, engine::usd_nanos cost,
            bool release) {
  if (!ids.empty() || !release)
    self->send(self->state.peers.ledger, settle_atom::value,
               budget_settlement{key, std::move(ids), cost, release});
}

} // namespace

bool abandoned(const run_t& r) {
  return r.spec.cancel && r.spec.cancel->cancelled();
}

void record_outcome(self_ptr self, const run_t& r, const attempt_record& a) {
  if (!engine::informs_learning(a.error))
    return;
  outcome_report o{r.decision_id,
                   a.model,
                   r.flow.current().cls.type,
                   a.error == engine::call_error::none,
                   a.latency_ms,
                   a.cost_nanos};
  self->send(self->state.peers.learning, outcome_atom::value, o);
}

void credit_answer(self_ptr self, const run_t& r, std::uint16_t model) {
  // A plan's own run makes no attempt: its steps do.
  const auto& attempts = r.flow.attempts();
  auto routed = attempts.empty() ? r.flow.current().model
                                 : attempts.front().model;
  if (r.parent != 0 || routed == model)
    return;
  self->send(self->state.peers.learning, answered_atom::value, r.decision_id,
             model);
}

void route(self_ptr self, std::uint64_t id, run_t& r, bool first) {
  // The round's span, from the request to the decision (and the plan it
  // chooses); an untraced task has none and allocates nothing.
  auto span = telemetry::start_shared_span(
    task_trace(r), std::string{telemetry::span_names::route});
  auto on_decision = [self, id, span](engine::decision& d) {
    auto run = find_run(self, id);
    if (run == nullptr)
      return;
    if (self->state.peers.storage)
      run->rounds_log.push_back({run->flow.context(), d});
    auto step = run->flow.decided(
      std::move(d),
      run->parent == 0
        ? std::span<const engine::experiment_spec>{self->state.experiments}
        : std::span<const engine::experiment_spec>{},
      id, *self->state.ctx.classifier);
    if (span)
      telemetry::describe_route(*span, run->flow.current(), reg(self),
                                run->flow.rounds());
    drive(self, id, std::move(step), span.get());
    if (span)
      span->end();
  };
  auto on_error = [self, id, first, span](caf::error& e) {
    if (span)
      span->fail(first ? "routing did not answer"
                       : "the scorer did not answer")
        .end();
    if (auto run = find_run(self, id))
      drive(self, id,
            run->flow.peer_failed(false, (first ? "routing did not answer: "
                                                : "the scorer did not answer: ")
                                           + caf::to_string(e)));
  };
  if (first)
    self
      ->request(self->state.peers.classifier, caf::infinite, score_atom::value,
                r.spec, r.flow.context())
      .then(on_decision, on_error);
  else
    self
      ->request(self->state.peers.scorer, caf::infinite, score_atom::value,
                r.spec, r.flow.cls(), r.flow.context())
      .then(on_decision, on_error);
}

void reserve(self_ptr self, std::uint64_t id, run_t& r, const task_step& s) {
  const auto& caps = self->state.peers.budget_caps_set;
  if (caps && !caps->load(std::memory_order_acquire)) {
    drive(self, id, r.flow.budget_answer(true, 0, {}));
    return;
  }
  auto on_grant = [self, id, key = r.spec.budget_key](budget_grant& g) {
    auto run = find_run(self, id);
    if (run == nullptr) {
      // The task is gone: give back what was granted for it.
      settle(self, key, std::move(g.reservation_ids), 0, true);
      return;
    }
    run->reservation = std::move(g.reservation_ids);
    drive(self, id,
          run->flow.budget_answer(g.granted, g.remaining_nanos,
                                  g.scope_exhausted));
  };
  auto on_error = [self, id](caf::error& e) {
    if (auto run = find_run(self, id))
      drive(self, id,
            run->flow.peer_failed(true, "the ledger did not answer: "
                                          + caf::to_string(e)));
  };
  budget_request req{r.spec.budget_key, s.amount};
  if (!r.spec.trace) {
    self
      ->request(self->state.peers.ledger, caf::infinite, reserve_atom::value,
                std::move(req))
      .then(on_grant, on_error);
    return;
  }
  // A traced task's reservation carries its trace: a cluster's ledger
  // records its wait on a budget's owner node as a span of it.
  self
    ->request(self->state.peers.ledger, caf::infinite, reserve_atom::value,
              traced_budget_request{std::move(req), task_trace(r)})
    .then(on_grant, on_error);
}

void call_model(self_ptr self, std::uint64_t id, run_t& r, const task_step& s) {
  const auto& m = reg(self).models[s.model];
  static const std::function<void(const stream_event&)> no_stream;
  auto order = build_call_order(
    self->state.ctx.next_call_id(), r.spec, m, s.max_tokens, r.decision_id,
    r.on_task && r.on_task->on_event ? r.on_task->on_event : no_stream);
  // A plan step's attempts carry its plan's decision id, as its spans do.
  if (r.parent != 0 && order.request.trace)
    order.request.trace = task_trace(r);
  r.sink = order.sink;
  auto done = [self, id, model = s.model, key = r.spec.budget_key,
               ids = std::move(r.reservation)](engine::call_result& res) {
    settle(self, key, ids, res.cost_nanos, false);
    auto run = find_run(self, id);
    if (run == nullptr)
      return;
    attempt_record a{model, res.error, res.latency_ms, res.cost_nanos,
                     res.retries};
    record_outcome(self, *run, a);
    auto step = run->flow.call_finished(a, res.http_status, res.error_message,
                                        run->sink && run->sink->started.load(),
                                        abandoned(*run));
    if (step.action == task_action::succeed)
      finish(self, *run, step, &res);
    else
      drive(self, id, std::move(step));
  };
  self
    ->request(self->state.peers.executors[m.provider_index], caf::infinite,
              call_atom::value, std::move(order))
    .then(done, [done](caf::error& e) mutable {
      engine::call_result res;
      res.error = engine::call_error::connection;
      res.error_message = caf::to_string(e);
      done(res);
    });
}

void call_ensemble(self_ptr self, std::uint64_t id, run_t& r) {
  auto key = r.spec.budget_key;
  auto ids = std::move(r.reservation);
  // The ensemble's span parents its members and the judge: the task goes
  // to the judge with it as its trace (swapped back once the message holds
  // its copy, so that the conversation is not copied twice).
  auto span = telemetry::start_shared_span(
    task_trace(r), std::string{telemetry::span_names::ensemble});
  telemetry::trace_parent_ptr task_parent;
  if (span) {
    telemetry::describe_ensemble(*span, r.flow.current().ensemble, reg(self));
    task_parent = std::exchange(r.spec.trace, span->as_parent());
  }
  auto req = self->request(self->state.peers.judge, caf::infinite,
                           ensemble_atom::value, r.spec, r.flow.current());
  if (span)
    r.spec.trace = std::move(task_parent);
  req.then(
    [self, id, key, ids, span](ensemble_reply& e) {
      if (span) {
        telemetry::describe_ensemble_end(
          *span, e.ok ? std::optional<std::uint16_t>{e.winner} : std::nullopt,
          e.cut, e.judge_fallback, e.cost_nanos, e.error_message, reg(self));
        span->end();
      }
      settle(self, key, ids, e.cost_nanos, false);
      auto run = find_run(self, id);
      if (run == nullptr)
        return;
      for (const auto& m : e.members)
        record_outcome(self, *run, m);
      auto step = run->flow.ensemble_finished(e.members, e.cost_nanos, e.ok,
                                              e.winner, e.error_message,
                                              abandoned(*run));
      if (step.action == task_action::succeed && run->on_task
          && run->on_task->on_event) {
        // An ensemble's answer exists only once the judge has spoken: it
        // streams as one piece.
        engine::stream_chunk chunk;
        chunk.delta = e.answer.text;
        run->on_task->on_event(
          {run->decision_id, reg(self).models[e.winner].id, chunk});
      }
      finish(self, *run, step, &e.answer);
    },
    [self, id, key, ids, span](caf::error& err) {
      if (span)
        span->fail("the judge did not answer").end();
      settle(self, key, ids, 0, true);
      if (auto run = find_run(self, id))
        drive(self, id,
              run->flow.peer_failed(false, "the ensemble failed: "
                                             + caf::to_string(err)));
    });
}

} // namespace switchyard::actors::coordinator_detail
