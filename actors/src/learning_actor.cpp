#include "switchyard/actors/learning_actor.hpp"

#include "learning_prompt_model.hpp"

#include "switchyard/engine/experiment.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/typed_response_promise.hpp>

#include <algorithm>

namespace switchyard::actors {

namespace {

using self_ptr = learning_actor::stateful_pointer<learning_state>;

/// Decisions remembered for feedback.
constexpr std::size_t max_remembered_decisions = 200'000;

std::size_t cell_index(std::uint16_t model, engine::task_type type) {
  return model * engine::task_type_count + static_cast<std::size_t>(type);
}

engine::learned_cell& touch_cell(learning_state& st, std::uint16_t model,
                                 engine::task_type type) {
  auto i = cell_index(model, type);
  if (st.cell_dirty[i] == 0) {
    st.cell_dirty[i] = 1;
    st.dirty_cells.push_back(i);
  }
  return st.cells[i];
}

engine::performance_table snapshot(const learning_state& st, double now_s) {
  engine::performance_table t;
  t.resize(st.ctx.registry->models.size());
  for (std::size_t i = 0; i < st.cells.size(); ++i) {
    t.cells[i] = engine::view_of(st.cells[i], now_s, st.params);
    if (!st.remote.empty())
      t.cells[i] = engine::blend(t.cells[i], st.remote[i], now_s, st.params);
  }
  return t;
}

/// Keeps evidence for the cluster actor (nothing outside a cluster).
void share(learning_state& st, std::size_t cell, const engine::evidence& e) {
  if (!st.cluster)
    return;
  if (st.pending_evidence.empty())
    st.pending_evidence.resize(st.cells.size());
  auto& p = st.pending_evidence[cell];
  if (p.empty())
    st.pending_cells.push_back(cell);
  p.merge(e, st.params.half_life_s);
}

/// Sends the evidence gathered since the last publish to the cluster actor.
void send_shared(self_ptr self) {
  auto& st = self->state;
  if (!st.cluster || st.pending_cells.empty())
    return;
  const auto& models = st.ctx.registry->models;
  std::vector<engine::evidence_entry> out;
  out.reserve(st.pending_cells.size());
  for (auto i : st.pending_cells) {
    out.push_back({models[i / engine::task_type_count].id,
                   static_cast<engine::task_type>(i % engine::task_type_count),
                   st.pending_evidence[i]});
    st.pending_evidence[i] = {};
  }
  st.pending_cells.clear();
  caf::anon_send(st.cluster, delta_atom::value, std::move(out));
}

/// The entry for a decision, made (and the oldest forgotten) when new.
learning_state::decision_ref& remember(learning_state& st,
                                       std::uint64_t decision) {
  auto [i, added] = st.decisions.try_emplace(decision);
  if (added) {
    st.decision_order.push_back(decision);
    if (st.decision_order.size() > max_remembered_decisions) {
      auto oldest = st.decision_order.front();
      st.decision_order.pop_front();
      if (oldest != decision) {
        st.decisions.erase(oldest);
        i = st.decisions.find(decision);
      }
    }
  }
  return i->second;
}

// -- the success predictor ------------------------------------------------------

void remember_features(learning_state& st, std::uint64_t decision,
                       std::vector<engine::sparse_feature> f) {
  auto [i, added] = st.features.try_emplace(decision, std::move(f));
  if (!added)
    return;
  st.features_order.push_back(decision);
  if (st.features_order.size() > predictor_feature_memory) {
    st.features.erase(st.features_order.front());
    st.features_order.pop_front();
  }
}

/// Pushes a fresh view of the predictor to the scorers.
void publish_predictor(self_ptr self) {
  auto& st = self->state;
  if (!st.predictor)
    return;
  auto next = st.view ? std::make_shared<engine::success_predictor_view>(*st.view)
                      : std::make_shared<engine::success_predictor_view>();
  st.predictor->refresh_view(*next);
  st.view = std::move(next);
  for (const auto& sub : st.subscribers)
    self->send(sub, snapshot_atom::value, predictor_view_ptr{st.view});
}

/// Sends the predictor's state to the store (when it has unsaved updates
/// and either `now` is a flush or the save interval has passed).
void save_predictor(self_ptr self, bool now) {
  auto& st = self->state;
  if (!st.predictor || !st.storage || !st.predictor_unsaved)
    return;
  auto now_ms = st.ctx.wall_now_ms();
  if (!now && now_ms - st.predictor_saved_ms < predictor_save_interval.count())
    return;
  predictor_bytes out;
  st.predictor->save(out.bytes);
  st.predictor_unsaved = false;
  st.predictor_saved_ms = now_ms;
  self->send(st.storage, persist_atom::value, std::move(out));
}

void schedule_publish(self_ptr self) {
  if (self->state.publish_pending)
    return;
  self->state.publish_pending = true;
  self->delayed_send(caf::actor_cast<learning_actor>(self),
                     learning_publish_delay, publish_atom::value);
}

/// Sends what changed since the last time to the store.
void persist_dirty(self_ptr self) {
  auto& st = self->state;
  if (!st.storage) {
    st.dirty_cells.clear();
    std::fill(st.cell_dirty.begin(), st.cell_dirty.end(), 0);
    std::fill(st.experiment_dirty.begin(), st.experiment_dirty.end(), 0);
    return;
  }
  if (!st.dirty_cells.empty()) {
    const auto& models = st.ctx.registry->models;
    std::vector<engine::learned_entry> rows;
    rows.reserve(st.dirty_cells.size());
    for (auto i : st.dirty_cells) {
      st.cell_dirty[i] = 0;
      rows.push_back({models[i / engine::task_type_count].id,
                      static_cast<engine::task_type>(
                        i % engine::task_type_count),
                      st.cells[i]});
    }
    st.dirty_cells.clear();
    self->send(st.storage, persist_atom::value, std::move(rows));
  }
  for (std::size_t i = 0; i < st.experiments.size(); ++i)
    if (st.experiment_dirty[i] != 0) {
      st.experiment_dirty[i] = 0;
      self->send(st.storage, persist_atom::value, st.experiments[i]);
    }
}

// -- experiments --------------------------------------------------------------

experiment_report report_of(const experiment_state& s) {
  return {s, engine::evaluate_experiment(s.spec, s.arms)};
}

experiment_reply reply_with(const experiment_state& s) {
  experiment_reply r;
  r.experiments.push_back(report_of(s));
  return r;
}

experiment_reply refuse(error_code code, std::string why) {
  experiment_reply r;
  r.error = code;
  r.error_message = std::move(why);
  return r;
}

std::vector<engine::experiment_spec> running_specs(const learning_state& st) {
  return running_experiments(st.experiments, *st.ctx.registry);
}

void push_experiments(self_ptr self) {
  auto specs = running_specs(self->state);
  for (const auto& c : self->state.coordinators)
    self->send(c, experiment_atom::value, specs);
}

void mark_experiment(learning_state& st, std::size_t i) {
  st.experiment_dirty[i] = 1;
}

/// One observation for a decision's arm, once per decision.
void observe(self_ptr self, learning_state::decision_ref& ref,
             engine::experiment_metric metric, double value) {
  auto& st = self->state;
  if (ref.experiment < 0 || ref.observed)
    return;
  auto i = static_cast<std::size_t>(ref.experiment);
  if (i >= st.experiments.size())
    return;
  auto& e = st.experiments[i];
  if (!e.running || e.spec.metric != metric || ref.arm >= e.arms.size())
    return;
  ref.observed = true;
  e.arms[ref.arm].add(value);
  mark_experiment(st, i);
  schedule_publish(self);
}

using ack_promise = caf::typed_response_promise<feedback_ack>;

feedback_record record_of(const learning_state& s, const feedback_message& f) {
  feedback_record rec;
  rec.decision_id = f.decision_id;
  rec.received_unix_ms = s.ctx.wall_now_ms();
  rec.report = f.report;
  return rec;
}

/// Feedback on a decision learning does not remember (made before the
/// window, or never): the store has the last word. Without a store there
/// is nothing to give feedback on.
void take_unknown_feedback(self_ptr self, const feedback_message& f,
                           ack_promise promise) {
  auto& s = self->state;
  ++s.feedback_unmatched;
  if (!s.storage) {
    promise.deliver(feedback_ack{error_code::not_found});
    return;
  }
  self->request(s.storage, caf::infinite, feedback_atom::value,
                record_of(s, f), f.key_id)
    .then([promise](feedback_ack& ack) mutable { promise.deliver(ack); },
          [promise](caf::error&) mutable {
            promise.deliver(feedback_ack{error_code::storage_failure});
          });
}

/// Applies stored feedback to the decision's cell, the A/B test it is in
/// and the success predictor (when learning still remembers the decision).
void learn_from(self_ptr self, const feedback_message& f, std::int64_t now_ms) {
  auto& s = self->state;
  auto score = engine::score_feedback(f.report);
  auto i = s.decisions.find(f.decision_id);
  if (!score || i == s.decisions.end() || !i->second.routed)
    return;
  auto& ref = i->second;
  auto now_s = static_cast<double>(now_ms) / 1000.0;
  engine::apply_feedback(touch_cell(s, ref.model, ref.type), *score, now_s,
                         s.params);
  share(s, cell_index(ref.model, ref.type),
        engine::feedback_evidence(*score, now_s));
  observe(self, ref, engine::experiment_metric::feedback, *score);
  if (s.predictor)
    if (auto seen = s.features.find(f.decision_id); seen != s.features.end()) {
      s.predictor->update(ref.model, seen->second, *score);
      ++s.predictor_updates;
      s.predictor_changed = true;
      s.predictor_unsaved = true;
    }
  learn_prompt(s, f.decision_id, ref.model, *score, now_s);
  schedule_publish(self);
}

/// Applies feedback on a decision remembered here and answers once it is
/// stored; another key's decision is answered as unknown.
void take_feedback(self_ptr self, const feedback_message& f,
                   ack_promise promise) {
  auto& s = self->state;
  auto i = s.decisions.find(f.decision_id);
  if (i == s.decisions.end() || !i->second.routed) {
    take_unknown_feedback(self, f, promise);
    return;
  }
  if (!f.key_id.empty() && i->second.owner != decision_owner(f.key_id)) {
    ++s.feedback_refused;
    promise.deliver(feedback_ack{error_code::not_found});
    return;
  }
  auto rec = record_of(s, f);
  auto now_ms = rec.received_unix_ms;
  if (engine::score_feedback(f.report)) {
    const auto& ref = i->second;
    rec.model = s.ctx.registry->models[ref.model].id;
    rec.type = ref.type;
  } else {
    ++s.feedback_unmatched;
  }
  if (!s.storage) {
    learn_from(self, f, now_ms);
    promise.deliver(feedback_ack{});
    return;
  }
  // Learned from, and answered, once the record is in the WAL: feedback
  // refused with a 503 and sent again must not count twice.
  self->request(s.storage, caf::infinite, feedback_atom::value, std::move(rec))
    .then(
      [self, f, now_ms, promise](bool stored) mutable {
        if (stored)
          learn_from(self, f, now_ms);
        promise.deliver(feedback_ack{stored ? error_code::none
                                            : error_code::storage_failure});
      },
      [promise](caf::error&) mutable {
        promise.deliver(feedback_ack{error_code::storage_failure});
      });
}

} // namespace

std::vector<engine::experiment_spec>
running_experiments(const std::vector<experiment_state>& all,
                    const engine::registry& reg) {
  std::vector<engine::experiment_spec> out;
  for (const auto& e : all)
    if (e.running && engine::validate_experiment(e.spec, reg).empty())
      out.push_back(e.spec);
  return out;
}

engine::performance_table
snapshot_of(const std::vector<engine::learned_entry>& cells,
            const engine::registry& reg, double now_s,
            const engine::learning_params& params) {
  engine::performance_table t;
  if (cells.empty())
    return t;
  t.resize(reg.models.size());
  for (const auto& e : cells)
    if (auto m = reg.model_index(e.model))
      t.at(*m, e.type) = engine::view_of(e.cell, now_s, params);
  return t;
}

learning_actor::behavior_type
learning(learning_actor::stateful_pointer<learning_state> self,
         runtime_context ctx, std::vector<scorer_actor> subscribers,
         learning_setup setup) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.subscribers = std::move(subscribers);
  st.storage = std::move(setup.storage);
  const auto& reg = *st.ctx.registry;
  st.cells.resize(reg.models.size() * engine::task_type_count);
  st.cell_dirty.assign(st.cells.size(), 0);
  // Rebuild from the store. Cells of models the registry no longer has stay
  // in the store for a registry that has them again.
  for (auto& e : setup.cells)
    if (auto m = reg.model_index(e.model))
      st.cells[cell_index(*m, e.type)] = e.cell;
  st.experiments = std::move(setup.experiments);
  for (auto& e : st.experiments)
    e.arms.resize(e.spec.arms.size());
  st.experiment_dirty.assign(st.experiments.size(), 0);
  if (st.ctx.predictor) {
    std::vector<std::string> ids;
    ids.reserve(reg.models.size());
    for (const auto& m : reg.models)
      ids.push_back(m.id);
    st.predictor.emplace(std::move(ids), *st.ctx.predictor);
    if (!setup.predictor.empty())
      st.predictor_load_error = st.predictor->load(setup.predictor);
    st.predictor_saved_ms = st.ctx.wall_now_ms();
    // Before any task reaches the scorers: they featurize from the start.
    publish_predictor(self);
  }
  start_prompt_model(self, setup.prompt_history);
  return {
    [self](outcome_atom, const outcome_report& o) {
      auto& s = self->state;
      if (o.model >= s.ctx.registry->models.size())
        return;
      if (o.decision_id != 0) {
        auto& ref = remember(s, o.decision_id);
        if (!ref.routed) {
          ref.model = o.model;
          ref.type = o.type;
          ref.routed = true;
        }
        observe(self, ref, engine::experiment_metric::success,
                o.success ? 1.0 : 0.0);
        if (o.success && o.model == ref.model)
          note_prompt_cost(s, o.decision_id, o.cost_nanos);
      }
      auto now_s = s.ctx.wall_now_s();
      engine::apply_outcome(touch_cell(s, o.model, o.type), o.success,
                            o.latency_ms, static_cast<double>(o.cost_nanos),
                            now_s, s.params);
      share(s, cell_index(o.model, o.type),
            engine::outcome_evidence(o.success, o.latency_ms,
                                     static_cast<double>(o.cost_nanos), now_s));
      schedule_publish(self);
    },
    [self](route_atom, std::uint64_t decision, std::uint16_t model,
           engine::task_type type, std::vector<engine::sparse_feature>& f,
           std::vector<engine::prompt_term>& terms, std::uint64_t owner) {
      auto& s = self->state;
      if (decision == 0 || model >= s.ctx.registry->models.size())
        return;
      if (s.predictor && !f.empty())
        remember_features(s, decision, std::move(f));
      remember_prompt(s, decision, std::move(terms));
      auto& ref = remember(s, decision);
      if (!ref.routed) {
        ref.model = model;
        ref.type = type;
        ref.routed = true;
      }
      ref.owner = owner;
    },
    [self](answered_atom, std::uint64_t decision, std::uint16_t model) {
      auto& s = self->state;
      if (decision == 0 || model >= s.ctx.registry->models.size())
        return;
      auto& ref = remember(s, decision);
      ref.model = model;
    },
    [self](feedback_atom, const feedback_message& f) -> ack_promise {
      auto& s = self->state;
      auto promise = self->make_response_promise<feedback_ack>();
      if (s.cluster && s.decisions.count(f.decision_id) == 0) {
        // Perhaps another node's decision: the cluster actor hands it to
        // that node (and passes on its answer) or leaves it here.
        self->request(s.cluster, std::chrono::seconds{2}, feedback_atom::value, f)
          .then(
            [self, f, promise](feedback_ack& ack) mutable {
              if (ack.handled)
                promise.deliver(ack);
              else
                take_feedback(self, f, promise);
            },
            [self, f, promise](caf::error&) mutable {
              take_feedback(self, f, promise);
            });
        return promise;
      }
      take_feedback(self, f, promise);
      return promise;
    },
    [self](publish_atom) {
      auto& s = self->state;
      s.publish_pending = false;
      auto table = snapshot(s, s.ctx.wall_now_s());
      for (const auto& sub : s.subscribers)
        self->send(sub, snapshot_atom::value, table);
      if (s.predictor_changed) {
        s.predictor_changed = false;
        publish_predictor(self);
      }
      persist_dirty(self);
      save_predictor(self, false);
      refit_prompt_model(self);
      save_prompt_history(self, false);
      send_shared(self);
    },
    [self](cluster_atom, caf::actor& cluster) {
      self->state.cluster = std::move(cluster);
    },
    [self](merge_atom, const std::vector<engine::evidence_entry>& remote) {
      // The other nodes' evidence, in full: it replaces what came before.
      auto& s = self->state;
      s.remote.assign(s.cells.size(), engine::evidence{});
      for (const auto& e : remote)
        if (auto m = s.ctx.registry->model_index(e.model))
          s.remote[cell_index(*m, e.type)] = e.sums;
      schedule_publish(self);
    },
    [self](snapshot_atom) {
      return snapshot(self->state, self->state.ctx.wall_now_s());
    },
    [self](assign_atom, const experiment_assignment& a) {
      auto& s = self->state;
      for (std::size_t i = 0; i < s.experiments.size(); ++i)
        if (s.experiments[i].spec.id == a.experiment) {
          auto& ref = remember(s, a.decision_id);
          ref.experiment = static_cast<std::int32_t>(i);
          ref.arm = a.arm;
          return;
        }
    },
    [self](start_atom, engine::experiment_spec& spec) -> experiment_reply {
      auto& s = self->state;
      if (auto why = engine::validate_experiment(spec, *s.ctx.registry);
          !why.empty())
        return refuse(error_code::invalid_argument, std::move(why));
      for (const auto& e : s.experiments) {
        if (e.spec.id == spec.id)
          return refuse(error_code::invalid_argument,
                        "an experiment named '" + spec.id
                          + "' exists already; pick another id");
        if (e.running && e.spec.type == spec.type)
          return refuse(error_code::invalid_argument,
                        "experiment '" + e.spec.id + "' already splits "
                          + std::string{to_string(spec.type)}
                          + " traffic; stop it first");
      }
      experiment_state e;
      e.spec = std::move(spec);
      e.running = true;
      e.started_unix_s = s.ctx.wall_now_ms() / 1000;
      e.arms.resize(e.spec.arms.size());
      s.experiments.push_back(std::move(e));
      s.experiment_dirty.push_back(1);
      persist_dirty(self);
      push_experiments(self);
      return reply_with(s.experiments.back());
    },
    [self](stop_atom, const std::string& id) -> experiment_reply {
      auto& s = self->state;
      for (std::size_t i = 0; i < s.experiments.size(); ++i) {
        auto& e = s.experiments[i];
        if (e.spec.id != id)
          continue;
        if (e.running) {
          e.running = false;
          e.stopped_unix_s = s.ctx.wall_now_ms() / 1000;
          mark_experiment(s, i);
          persist_dirty(self);
          push_experiments(self);
        }
        return reply_with(e);
      }
      return refuse(error_code::not_found,
                    "no experiment named '" + id + "'");
    },
    [self](experiment_atom) {
      experiment_reply r;
      for (const auto& e : self->state.experiments)
        r.experiments.push_back(report_of(e));
      return r;
    },
    [self](experiment_atom, const coordinator_actor& c) {
      self->state.coordinators.push_back(c);
      self->send(c, experiment_atom::value, running_specs(self->state));
    },
    [self](flush_atom) -> caf::typed_response_promise<bool> {
      auto promise = self->make_response_promise<bool>();
      persist_dirty(self);
      save_predictor(self, true);
      save_prompt_history(self, true);
      if (!self->state.storage) {
        promise.deliver(true);
        return promise;
      }
      // After the persists just sent: the store keeps its mailbox in order.
      self->request(self->state.storage, caf::infinite, flush_atom::value)
        .then([promise](bool ok) mutable { promise.deliver(ok); },
              [promise](caf::error&) mutable { promise.deliver(false); });
      return promise;
    },
  };
}

} // namespace switchyard::actors
