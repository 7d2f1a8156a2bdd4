#include "switchyard/actors/storage_actor.hpp"

#include "switchyard/messages/error_code.hpp"

#include <caf/actor_cast.hpp>

namespace switchyard::actors {

namespace {

using self_ptr = storage_actor::stateful_pointer<storage_state>;

/// At most every 30 s: evicts the oldest decisions while the log is over
/// the store's size cap.
void enforce_size_cap(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  if (st.db->max_bytes() == 0 || now < st.next_size_check)
    return;
  st.next_size_check = now + std::chrono::seconds{30};
  auto evicted = st.db->enforce_size_cap();
  if (!evicted) {
    st.last_error = error_message(evicted.error());
    return;
  }
  if (*evicted > 0 && st.log_queue)
    st.log_queue->count_evicted(*evicted);
}

/// Moves the records parked in the log queue into `pending`.
void add_parked(storage_state& st, std::vector<decision_record> parked) {
  for (const auto& r : parked)
    st.pending.put_decision(r, st.db->options().prompts);
  st.pending_decisions += parked.size();
}

/// Writes the pending batch and answers whoever waits on it.
void commit(self_ptr self) {
  auto& st = self->state;
  st.commit_scheduled = false;
  // Records parked before this commit are written with it, so that a read
  // or a feedback after it finds them.
  if (st.log_queue && st.window_open)
    add_parked(st, st.log_queue->take_parked());
  bool ok = true;
  if (!st.pending.empty()) {
    auto written = st.db->write(st.pending);
    ++st.batches;
    if (!written) {
      ok = false;
      ++st.failures;
      st.last_error = error_message(written.error());
    } else {
      st.last_error.clear();
    }
    st.pending.clear();
    if (st.log_queue) {
      st.log_queue->leave(st.pending_decisions, ok);
      st.log_queue->set_last_error(st.last_error);
    }
    st.pending_decisions = 0;
    enforce_size_cap(self);
  }
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  for (auto& answer : waiting)
    answer(ok);
}

/// Commits after whatever is already in the mailbox: messages that arrived
/// meanwhile join this batch.
void schedule_commit(self_ptr self) {
  auto& st = self->state;
  if (st.pending.size() >= storage_max_batch) {
    commit(self);
    return;
  }
  if (st.commit_scheduled)
    return;
  st.commit_scheduled = true;
  self->send(caf::actor_cast<storage_actor>(self), commit_atom::value);
}

/// Writes no one waits on at once: gathered for the group-commit window
/// (or written with the next commit someone waits on, whichever is first).
void defer_commit(self_ptr self) {
  auto& st = self->state;
  if (st.commit_window.count() <= 0 || st.pending.size() >= storage_max_batch) {
    schedule_commit(self);
    return;
  }
  if (st.window_open)
    return;
  st.window_open = true;
  if (st.log_queue)
    st.log_queue->open_window();
  // A job-less run_atom: "the window is closed, write what gathered".
  self->delayed_send(caf::actor_cast<storage_actor>(self), st.commit_window,
                     run_atom::value, storage_job_ptr{});
}

caf::typed_response_promise<bool> await_commit(self_ptr self) {
  auto promise = self->make_response_promise<bool>();
  self->state.waiting.push_back(
    [promise](bool ok) mutable { promise.deliver(ok); });
  schedule_commit(self);
  return promise;
}

/// The logged decision `id` (in this actor's pending batch or the store),
/// checked against the key that gives feedback on it: `not_found` when it
/// is unknown or another key's, `storage_failure` when the store failed.
caf::expected<decision_record> owned_decision(self_ptr self, std::uint64_t id,
                                              const std::string& key_id) {
  // Records that arrived before this request are in `pending`: write them
  // first, so that the read sees them (no false "not found").
  if (!self->state.pending.empty() || self->state.window_open) {
    commit(self);
    // The batch holding the decision may be the one that failed: not
    // "unknown", but "not stored" (retry).
    if (!self->state.last_error.empty())
      return caf::make_error(error_code::storage_failure,
                             self->state.last_error);
  }
  auto rec = self->state.db->get_decision(id);
  if (!rec)
    return rec;
  if (!key_id.empty() && rec->task.budget_key != key_id)
    return caf::make_error(error_code::not_found, "no such decision");
  return rec;
}

} // namespace

storage_state::~storage_state() {
  if (db && log_queue && window_open)
    add_parked(*this, log_queue->close_window());
  if (db && !pending.empty()) {
    auto written = db->write(pending);
    if (log_queue)
      log_queue->leave(pending_decisions, static_cast<bool>(written));
  }
}

storage_actor::behavior_type
storage(storage_actor::stateful_pointer<storage_state> self,
        std::shared_ptr<storage::store> db,
        std::shared_ptr<decision_log_queue> log_queue) {
  self->state.db = std::move(db);
  self->state.log_queue = std::move(log_queue);
  // On its own thread the clock is real; under the test scheduler a window
  // would wait for simulated time that deterministic tests never advance.
  if (self->getf(caf::abstract_actor::is_detached_flag))
    self->state.commit_window = storage_commit_window;
  return {
    [self](persist_atom, const std::vector<engine::learned_entry>& cells) {
      for (const auto& e : cells)
        self->state.pending.put_learned(e);
      defer_commit(self);
    },
    [self](persist_atom, const experiment_state& s) {
      self->state.pending.put_experiment(s);
      defer_commit(self);
    },
    [self](persist_atom, predictor_bytes& p) {
      self->state.pending.put_predictor(std::move(p.bytes));
      defer_commit(self);
    },
    [self](persist_atom, prompt_history_bytes& p) {
      self->state.pending.put_prompt_history(std::move(p.bytes));
      defer_commit(self);
    },
    [self](feedback_atom, const feedback_record& r) {
      self->state.pending.put_feedback(r, self->state.db->next_sequence());
      return await_commit(self);
    },
    // Spend: no request waits on it, so it joins the group-commit window;
    // the ledger still hears back only once it is synced.
    [self](ledger_atom, const std::vector<ledger_entry>& entries) {
      for (const auto& e : entries)
        self->state.pending.put_ledger(e);
      auto promise = self->make_response_promise<bool>();
      self->state.waiting.push_back(
        [promise](bool ok) mutable { promise.deliver(ok); });
      defer_commit(self);
      return promise;
    },
    [self](feedback_atom, feedback_record& r,
           const std::string& key_id) -> caf::result<feedback_ack> {
      auto logged = owned_decision(self, r.decision_id, key_id);
      if (!logged) {
        auto code = error_code_of(logged.error());
        return feedback_ack{code == error_code::not_found
                              ? error_code::not_found
                              : error_code::storage_failure};
      }
      // Learning no longer holds it, so it taught no cell: stored with an
      // empty model, as feedback_record documents.
      self->state.pending.put_feedback(r, self->state.db->next_sequence());
      auto promise = self->make_response_promise<feedback_ack>();
      self->state.waiting.push_back([promise](bool ok) mutable {
        promise.deliver(
          feedback_ack{ok ? error_code::none : error_code::storage_failure});
      });
      schedule_commit(self);
      return promise;
    },
    [self](log_atom, const decision_record& r) {
      self->state.pending.put_decision(r, self->state.db->options().prompts);
      ++self->state.pending_decisions;
      defer_commit(self);
    },
    [self](flush_atom) {
      auto promise = self->make_response_promise<bool>();
      self->state.waiting.push_back(
        [promise](bool ok) mutable { promise.deliver(ok); });
      commit(self);
      return promise;
    },
    [self](commit_atom) {
      if (self->state.commit_scheduled)
        commit(self);
    },
    [self](run_atom, const storage_job_ptr& job) {
      if (!job && self->state.window_open) {
        self->state.window_open = false;
        if (self->state.log_queue)
          add_parked(self->state, self->state.log_queue->close_window());
      }
      // Reads see every write that arrived before them (parked ones too).
      if (!self->state.pending.empty() || self->state.window_open)
        commit(self);
      if (job && job->run)
        job->run(*self->state.db);
    },
  };
}

} // namespace switchyard::actors
