#include "switchyard/actors/coordinator_actor.hpp"

#include "switchyard/actors/call_request_builder.hpp"
#include "switchyard/actors/task_routing.hpp"
#include "switchyard/engine/cancel_token.hpp"
#include "switchyard/engine/decision_ids.hpp"
#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/estimate.hpp"
#include "switchyard/engine/experiment.hpp"

#include <caf/actor_cast.hpp>

#include <algorithm>

namespace switchyard::actors {

namespace {

using self_ptr = coordinator_actor::stateful_pointer<coordinator_state>;
using run_t = coordinator_state::task_run;

/// Routing rounds before a task gives up: the first decision, then fresh
/// decisions once a fallback chain runs out.
constexpr std::uint32_t max_rounds = 3;

const engine::registry& reg(self_ptr self) {
  return *self->state.ctx.registry;
}

run_t* find_run(self_ptr self, std::uint64_t id) {
  auto i = self->state.runs.find(id);
  return i == self->state.runs.end() ? nullptr : &i->second;
}

double elapsed_ms(self_ptr self, const run_t& r) {
  return std::chrono::duration<double, std::milli>(self->clock().now()
                                                   - r.started)
    .count();
}

/// Sends the task's decision record to the log. Called before the caller
/// gets the answer, so that a runtime that drained its tasks has every
/// record queued at the store.
void log_decision(self_ptr self, run_t& r, const task_reply* out,
                  error_code error = error_code::none,
                  const std::string& error_text = {}) {
  const auto& st = self->state;
  if (!st.peers.storage || r.rounds_log.empty())
    return;
  // The store behind: the record is dropped (and counted), the request is
  // not held up.
  if (st.peers.log_queue && !st.peers.log_queue->try_enter())
    return;
  decision_record rec;
  rec.decision_id = r.decision_id;
  rec.created_unix_ms = r.created_unix_ms;
  rec.execute = r.execute;
  // Not the transcript: the record keeps what routing read of it.
  rec.task = logged_task(r.spec);
  rec.shape = shape_of(r.spec);
  rec.rounds = std::move(r.rounds_log);
  rec.seed = st.ctx.seed;
  rec.experiment = r.experiment;
  rec.experiment_arm = r.experiment_arm;
  rec.error = error;
  rec.error_message = error_text;
  if (out != nullptr) {
    rec.error = out->error;
    rec.error_message = out->error_message;
    rec.answered = out->ok();
    rec.answered_by = out->model;
    rec.input_tokens = out->input_tokens;
    rec.output_tokens = out->output_tokens;
    rec.cost_nanos = out->cost_nanos;
    rec.latency_ms = out->latency_ms;
    rec.parallel = out->parallel;
    rec.attempts = out->attempts;
  }
  self->send(st.peers.storage, log_atom::value, std::move(rec));
}

void reply_to_caller(run_t& r, task_reply out) {
  if (r.on_task)
    r.on_task->fn(std::move(out));
  else
    r.exec_promise.deliver(std::move(out));
}

void fail(self_ptr self, std::uint64_t id, error_code code,
          std::string message) {
  auto r = find_run(self, id);
  if (r == nullptr)
    return;
  if (r->execute) {
    task_reply out;
    out.decision_id = r->decision_id;
    out.error = code;
    out.error_message = std::move(message);
    out.cost_nanos = r->spent_nanos;
    out.latency_ms = elapsed_ms(self, *r);
    out.attempts = std::move(r->attempts);
    out.decision = std::move(r->decision);
    log_decision(self, *r, &out);
    reply_to_caller(*r, std::move(out));
  } else if (r->on_route) {
    log_decision(self, *r, nullptr, code, message);
    route_result out;
    out.error = code;
    out.error_message = std::move(message);
    out.decision_id = r->decision_id;
    out.decision = std::move(r->decision);
    r->on_route->fn(std::move(out));
  } else {
    log_decision(self, *r, nullptr, code, message);
    r->route_promise.deliver(caf::make_error(code, std::move(message)));
  }
  self->state.runs.erase(id);
}

void succeed(self_ptr self, std::uint64_t id, std::uint16_t model,
             engine::call_result answer, bool parallel) {
  auto r = find_run(self, id);
  if (r == nullptr)
    return;
  task_reply out;
  out.decision_id = r->decision_id;
  out.model = model;
  out.text = std::move(answer.text);
  out.content = std::move(answer.content);
  out.finish_reason = std::move(answer.finish_reason);
  out.input_tokens = answer.input_tokens;
  out.output_tokens = answer.output_tokens;
  out.cost_nanos = r->spent_nanos;
  out.latency_ms = elapsed_ms(self, *r);
  out.parallel = parallel;
  out.attempts = std::move(r->attempts);
  out.decision = std::move(r->decision);
  log_decision(self, *r, &out);
  reply_to_caller(*r, std::move(out));
  self->state.runs.erase(id);
}

void record_outcome(self_ptr self, const run_t& r, const attempt_record& a) {
  if (a.error == engine::call_error::cancelled
      || a.error == engine::call_error::breaker_open
      || a.error == engine::call_error::overloaded)
    return; // says nothing about the model's answers
  outcome_report o;
  o.decision_id = r.decision_id;
  o.model = a.model;
  o.type = r.decision.cls.type;
  o.success = a.error == engine::call_error::none;
  o.latency_ms = a.latency_ms;
  o.cost_nanos = a.cost_nanos;
  self->send(self->state.peers.learning, outcome_atom::value, o);
}

void score(self_ptr self, std::uint64_t id);

/// Whether the task's caller abandoned it (its client went away).
bool abandoned(const run_t& r) {
  return r.spec.cancel && r.spec.cancel->cancelled();
}
void attempt(self_ptr self, std::uint64_t id, std::uint16_t model);
void run_ensemble(self_ptr self, std::uint64_t id);

/// The worst case the chosen plan may cost.
engine::usd_nanos worst_case(self_ptr self, const run_t& r,
                             std::uint16_t model) {
  if (auto c = r.decision.find_candidate(model))
    return c->cost.max;
  return engine::estimate_cost(reg(self).models[model], r.decision.tokens).max;
}

/// The next model to try after a failure: the rest of the fallback chain
/// (skipping local models once the task has escalated), else a fresh
/// decision that excludes everything tried.
void next_model(self_ptr self, std::uint64_t id) {
  auto r = find_run(self, id);
  if (r == nullptr)
    return;
  if (abandoned(*r)) {
    fail(self, id, error_code::cancelled,
         "the caller abandoned the task (its client disconnected)");
    return;
  }
  const auto& policy = reg(self).policy;
  bool escalated = policy.allow_cloud_fallback
                   && r->ctx.local_failures
                        >= policy.escalate_after_local_failures;
  while (r->next_fallback < r->decision.fallbacks.size()) {
    auto m = r->decision.fallbacks[r->next_fallback++];
    if (std::find(r->ctx.exclude.begin(), r->ctx.exclude.end(), m)
        != r->ctx.exclude.end())
      continue;
    if (escalated && reg(self).models[m].local)
      continue;
    // The agent loop's own model failed: the conversation moves on.
    if (r->decision.rule == engine::selection_rule::agent_loop)
      r->decision.add_note(engine::decision_note::agent_loop_moved);
    attempt(self, id, m);
    return;
  }
  if (r->rounds >= max_rounds || !r->spec.force_model.empty()) {
    std::string tried;
    for (const auto& a : r->attempts)
      tried += (tried.empty() ? "" : ", ") + reg(self).models[a.model].id + " ("
               + std::string{engine::to_string(a.error)} + ")";
    // Refused by this node's own limits everywhere: come back later.
    bool overloaded
      = !r->attempts.empty()
        && std::all_of(r->attempts.begin(), r->attempts.end(),
                       [](const attempt_record& a) {
                         return a.error == engine::call_error::overloaded;
                       });
    fail(self, id,
         overloaded ? error_code::overloaded : error_code::no_candidate,
         "every model tried failed: " + tried);
    return;
  }
  // An A/B arm's model failed and has been observed: route freely now.
  r->ctx.force_model.clear();
  score(self, id);
}

void on_call_result(self_ptr self, std::uint64_t id, std::uint16_t model,
                    const std::string& key,
                    std::vector<std::uint64_t> reservation,
                    engine::call_result res) {
  // Settle even for a task that is gone: the money was reserved.
  self->send(self->state.peers.ledger, settle_atom::value,
             budget_settlement{key, std::move(reservation), res.cost_nanos,
                               false});
  auto r = find_run(self, id);
  if (r == nullptr)
    return;
  r->spent_nanos += res.cost_nanos;
  attempt_record a{model, res.error, res.latency_ms, res.cost_nanos,
                   res.retries};
  r->attempts.push_back(a);
  record_outcome(self, *r, a);
  bool streamed = r->sink && r->sink->started.load();
  if (res.ok() || (streamed && res.error == engine::call_error::budget_exceeded)) {
    succeed(self, id, model, std::move(res), false);
    return;
  }
  if (abandoned(*r)) {
    fail(self, id, error_code::cancelled,
         "the caller abandoned the task (its client disconnected)");
    return;
  }
  if (streamed) {
    // The caller has part of an answer: no fallback can take it back.
    fail(self, id, error_code::no_candidate,
         reg(self).models[model].id + " failed mid-stream: " + res.error_message);
    return;
  }
  r->ctx.exclude.push_back(model);
  if (reg(self).models[model].local)
    ++r->ctx.local_failures;
  if (res.error == engine::call_error::client_error) {
    // The request itself is wrong (400, 401, ...): another model would
    // refuse it too, unless it was about this model (404).
    if (res.http_status != 404) {
      fail(self, id, error_code::invalid_argument, res.error_message);
      return;
    }
  }
  next_model(self, id);
}

/// Reserves `amount` for the task and calls `go` with the reservation ids;
/// while the ledger says no cap is set, calls it at once with none. Refused,
/// the task is routed again once knowing what is left (a cheaper or local
/// model, fewer or cheaper ensemble members), then fails naming the scope
/// that cannot cover `what`.
template <class Continuation>
void reserve_then(self_ptr self, std::uint64_t id, engine::usd_nanos amount,
                  const std::string& key, const char* what, Continuation go) {
  const auto& caps = self->state.peers.budget_caps_set;
  if (caps && !caps->load(std::memory_order_acquire)) {
    go(std::vector<std::uint64_t>{});
    return;
  }
  self->request(self->state.peers.ledger, caf::infinite, reserve_atom::value,
                budget_request{key, amount})
    .then(
      [self, id, what, go](budget_grant& g) mutable {
        auto r = find_run(self, id);
        if (r != nullptr && !g.granted) {
          if (r->budget_rerouted) {
            fail(self, id, error_code::budget_exhausted,
                 "the " + g.scope_exhausted + " budget cannot cover " + what
                   + " (left: "
                   + engine::format_usd(engine::nanos_to_usd(g.remaining_nanos))
                   + ")");
            return;
          }
          r->budget_rerouted = true;
          r->ctx.budget_remaining = g.remaining_nanos;
          score(self, id);
          return;
        }
        if (g.granted)
          go(std::move(g.reservation_ids));
      },
      [self, id](caf::error& e) {
        fail(self, id, error_code::budget_exhausted,
             "the ledger did not answer: " + caf::to_string(e));
      });
}

/// Gives an unused reservation back to the ledger (none to give when no cap
/// was set).
void release_reservation(self_ptr self, const std::string& key,
                         std::vector<std::uint64_t> reservation) {
  if (!reservation.empty())
    self->send(self->state.peers.ledger, settle_atom::value,
               budget_settlement{key, std::move(reservation), 0, true});
}

/// Sends the call to the model's executor, its worst case reserved (or no
/// cap set: `reservation` empty).
void call_model(self_ptr self, std::uint64_t id, std::uint16_t model,
                engine::usd_nanos amount, const std::string& key,
                std::vector<std::uint64_t> reservation) {
  auto r = find_run(self, id);
  if (r == nullptr) {
    release_reservation(self, key, std::move(reservation));
    return;
  }
  const auto& m = reg(self).models[model];
  auto max_tokens = engine::max_tokens_within(
    m, r->decision.tokens.input, amount,
    r->spec.max_output_tokens.value_or(reg(self).policy.max_tokens_per_task));
  call_order order{self->state.ctx.next_call_id(),
                   build_call_request(r->spec, m, max_tokens), nullptr};
  if (r->on_task && r->on_task->on_event) {
    order.request.stream = true;
    order.sink = std::make_shared<stream_sink>();
    order.sink->decision_id = r->decision_id;
    order.sink->model = m.id;
    order.sink->on_event = r->on_task->on_event;
    order.sink->max_output_tokens = max_tokens;
    r->sink = order.sink;
  }
  self
    ->request(self->state.peers.executors[m.provider_index], caf::infinite,
              call_atom::value, std::move(order))
    .then(
      [self, id, model, key, reservation](engine::call_result& res) {
        on_call_result(self, id, model, key, reservation, std::move(res));
      },
      [self, id, model, key, reservation](caf::error& e) {
        engine::call_result res;
        res.error = engine::call_error::connection;
        res.error_message = caf::to_string(e);
        on_call_result(self, id, model, key, reservation, std::move(res));
      });
}

void attempt(self_ptr self, std::uint64_t id, std::uint16_t model) {
  auto current = find_run(self, id);
  if (current == nullptr)
    return;
  auto amount = worst_case(self, *current, model);
  auto key = current->spec.budget_key;
  reserve_then(self, id, amount, key, "this task",
               [self, id, model, amount, key](std::vector<std::uint64_t> ids) {
                 call_model(self, id, model, amount, key, std::move(ids));
               });
}

/// Hands the ensemble to the judge, its worst case reserved (or no cap set:
/// `reservation` empty).
void call_ensemble(self_ptr self, std::uint64_t id, const std::string& key,
                   std::vector<std::uint64_t> reservation) {
  auto r = find_run(self, id);
  if (r == nullptr) {
    release_reservation(self, key, std::move(reservation));
    return;
  }
  auto ids = std::move(reservation);
  self
    ->request(self->state.peers.judge, caf::infinite, ensemble_atom::value,
              r->spec, r->decision)
    .then(
      [self, id, key, ids](ensemble_reply& e) {
        self->send(self->state.peers.ledger, settle_atom::value,
                   budget_settlement{key, ids, e.cost_nanos, false});
        auto run = find_run(self, id);
        if (run == nullptr)
          return;
        run->spent_nanos += e.cost_nanos;
        for (const auto& m : e.members) {
          run->attempts.push_back(m);
          record_outcome(self, *run, m);
        }
        if (!e.ok) {
          fail(self, id,
               abandoned(*run) ? error_code::cancelled
                               : error_code::no_candidate,
               e.error_message);
          return;
        }
        if (run->on_task && run->on_task->on_event) {
          // An ensemble's answer exists only once the judge has spoken: it
          // streams as one piece.
          engine::stream_chunk chunk;
          chunk.delta = e.answer.text;
          run->on_task->on_event(
            {run->decision_id, reg(self).models[e.winner].id, chunk});
        }
        succeed(self, id, e.winner, std::move(e.answer), true);
      },
      [self, id, key, ids](caf::error& err) {
        release_reservation(self, key, ids);
        fail(self, id, error_code::no_candidate,
             "the ensemble failed: " + caf::to_string(err));
      });
}

void run_ensemble(self_ptr self, std::uint64_t id) {
  auto current = find_run(self, id);
  if (current == nullptr)
    return;
  auto key = current->spec.budget_key;
  reserve_then(self, id, current->decision.ensemble.max_cost, key,
               "the ensemble",
               [self, id, key](std::vector<std::uint64_t> ids) {
                 call_ensemble(self, id, key, std::move(ids));
               });
}

void begin_execution(self_ptr self, std::uint64_t id) {
  auto r = find_run(self, id);
  if (r == nullptr)
    return;
  if (r->decision.parallel)
    run_ensemble(self, id);
  else
    attempt(self, id, r->decision.model);
}

/// The running experiment that splits this task type's traffic, if any.
const engine::experiment_spec* experiment_for(self_ptr self,
                                              engine::task_type type) {
  for (const auto& e : self->state.experiments)
    if (e.type == type)
      return &e;
  return nullptr;
}

/// Assigns a task to an arm of a running experiment for its task type (once,
/// after its first decision). True when the arm forces another model: the
/// task is routed again with that model forced.
bool apply_experiment(self_ptr self, std::uint64_t id, run_t& r,
                      const engine::decision& d) {
  if (r.experiment_checked)
    return false;
  r.experiment_checked = true;
  if (!r.spec.force_model.empty())
    return false; // the caller's own choice wins
  auto spec = experiment_for(self, d.cls.type);
  if (spec == nullptr)
    return false;
  auto arm = engine::assign_arm(*spec, r.decision_id);
  if (!arm)
    return false;
  r.experiment = spec->id;
  r.experiment_arm = static_cast<std::uint32_t>(*arm);
  self->send(self->state.peers.learning, assign_atom::value,
             experiment_assignment{r.decision_id, spec->id, r.experiment_arm});
  const auto& model = spec->arms[*arm].model;
  if (model.empty() || reg(self).models[d.model].id == model)
    return false;
  r.ctx.force_model = model;
  --r.rounds; // routing the arm's model is no retry
  score(self, id);
  return true;
}

void on_decision(self_ptr self, std::uint64_t id, engine::decision d) {
  auto r = find_run(self, id);
  if (r == nullptr)
    return;
  if (self->state.peers.storage)
    r->rounds_log.push_back({r->ctx, d});
  r->cls = d.cls;
  r->decision = std::move(d);
  r->next_fallback = 0;
  auto& dec = r->decision;
  if (!dec.has_model()) {
    if (dec.has_note(engine::decision_note::forced_unavailable)) {
      fail(self, id, error_code::model_unavailable,
           engine::unavailable_refusal(dec, reg(self)));
      return;
    }
    if (dec.has_note(engine::decision_note::forced_cannot_express)) {
      fail(self, id, error_code::invalid_argument,
           engine::forced_refusal(dec, reg(self)));
      return;
    }
    auto code = dec.has_note(engine::decision_note::no_local_model)
                    || dec.has_note(engine::decision_note::budget_exhausted)
                  ? error_code::budget_exhausted
                  : dec.has_note(engine::decision_note::unknown_forced_model)
                      ? error_code::unknown_model
                      : error_code::no_candidate;
    fail(self, id, code,
         engine::rationale(dec, reg(self), *self->state.ctx.classifier));
    return;
  }
  if (apply_experiment(self, id, *r, dec))
    return;
  self->send(self->state.peers.learning, route_atom::value, r->decision_id,
             dec.model, dec.cls.type, std::move(dec.features),
             std::move(dec.prompt_terms), decision_owner(r->spec.budget_key));
  if (!r->execute) {
    log_decision(self, *r, nullptr);
    if (r->on_route) {
      route_result out;
      out.decision_id = r->decision_id;
      out.decision = std::move(dec);
      r->on_route->fn(std::move(out));
    } else {
      r->route_promise.deliver(route_reply{r->decision_id, std::move(dec)});
    }
    self->state.runs.erase(id);
    return;
  }
  if (r->rounds == 1 && reg(self).policy.require_approval_for_critical
      && dec.cls.tier == engine::complexity_tier::critical) {
    r->awaiting_approval = true;
    self->delayed_send(caf::actor_cast<coordinator_actor>(self),
                       self->state.approval_timeout, timeout_atom::value, id);
    return;
  }
  begin_execution(self, id);
}

void score(self_ptr self, std::uint64_t id) {
  auto r = find_run(self, id);
  if (r == nullptr)
    return;
  ++r->rounds;
  self
    ->request(self->state.peers.scorer, caf::infinite, score_atom::value,
              r->spec, r->cls, r->ctx)
    .then([self, id](engine::decision& d) { on_decision(self, id, std::move(d)); },
          [self, id](caf::error& e) {
            fail(self, id, error_code::no_candidate,
                 "the scorer did not answer: " + caf::to_string(e));
          });
}

/// Takes a task in and starts its flow: the classifier classifies it and
/// hands it to the scorer, whose decision comes back here.
run_t& admit(self_ptr self, task_spec spec, bool execute) {
  auto& st = self->state;
  auto id = st.decision_id_prefix | (++st.next_decision * st.shards + st.shard);
  auto& r = st.runs[id];
  r.spec = std::move(spec);
  r.execute = execute;
  r.decision_id = id;
  r.started = self->clock().now();
  r.created_unix_ms = st.ctx.wall_now_ms();
  ++r.rounds;
  self
    ->request(st.peers.classifier, caf::infinite, score_atom::value, r.spec,
              r.ctx)
    .then([self, id](engine::decision& d) { on_decision(self, id, std::move(d)); },
          [self, id](caf::error& e) {
            fail(self, id, error_code::no_candidate,
                 "routing did not answer: " + caf::to_string(e));
          });
  return r;
}

} // namespace

coordinator_actor::behavior_type
coordinator(coordinator_actor::stateful_pointer<coordinator_state> self,
            runtime_context ctx, coordinator_peers peers,
            std::chrono::milliseconds approval_timeout, std::uint64_t shard,
            std::uint64_t shards, coordinator_start start) {
  self->state.ctx = std::move(ctx);
  self->state.peers = std::move(peers);
  self->state.approval_timeout = approval_timeout;
  self->state.shard = shard;
  self->state.shards = std::max<std::uint64_t>(shards, 1);
  // Ids are (n * shards + shard) with n counting up from here, so every new
  // id is above the last one logged, whatever the shard count was then.
  self->state.next_decision
    = (start.last_decision_id & engine::decision_counter_mask)
      / self->state.shards;
  self->state.decision_id_prefix = start.decision_id_prefix;
  self->state.experiments = std::move(start.experiments);
  return {
    [self](route_atom, task_spec& spec)
      -> caf::typed_response_promise<route_reply> {
      auto promise = self->make_response_promise<route_reply>();
      admit(self, std::move(spec), false).route_promise = promise;
      return promise;
    },
    [self](execute_atom, task_spec& spec)
      -> caf::typed_response_promise<task_reply> {
      auto promise = self->make_response_promise<task_reply>();
      admit(self, std::move(spec), true).exec_promise = promise;
      return promise;
    },
    [self](route_atom, task_spec& spec, route_completion_ptr& done) {
      admit(self, std::move(spec), false).on_route = std::move(done);
    },
    [self](execute_atom, task_spec& spec, task_completion_ptr& done) {
      admit(self, std::move(spec), true).on_task = std::move(done);
    },
    [self](approve_atom, std::uint64_t id, bool approved) {
      auto r = find_run(self, id);
      if (r == nullptr || !r->awaiting_approval)
        return false;
      r->awaiting_approval = false;
      if (approved)
        begin_execution(self, id);
      else
        fail(self, id, error_code::invalid_argument,
             "the task was rejected by its approver");
      return true;
    },
    [self](pending_atom) {
      std::vector<std::uint64_t> ids;
      for (const auto& [id, r] : self->state.runs)
        if (r.awaiting_approval)
          ids.push_back(id);
      std::sort(ids.begin(), ids.end());
      return ids;
    },
    [self](experiment_atom, std::vector<engine::experiment_spec>& specs) {
      self->state.experiments = std::move(specs);
    },
    [self](timeout_atom, std::uint64_t id) {
      auto r = find_run(self, id);
      if (r != nullptr && r->awaiting_approval)
        fail(self, id, error_code::invalid_argument,
             "the task waited for approval longer than "
               + std::to_string(self->state.approval_timeout.count())
               + " ms");
    },
  };
}

} // namespace switchyard::actors
