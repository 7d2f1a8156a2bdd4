#include "switchyard/actors/storage_actor.hpp"

#include "switchyard/messages/error_code.hpp"

#include <caf/actor_cast.hpp>

namespace switchyard::actors {

namespace {

using self_ptr = storage_actor::stateful_pointer<storage_state>;

/// Writes the pending batch and answers whoever waits on it.
void commit(self_ptr self) {
  auto& st = self->state;
  st.commit_scheduled = false;
  bool ok = true;
  if (!st.pending.empty()) {
    auto written = st.db->write(st.pending);
    ++st.batches;
    if (!written) {
      ok = false;
      ++st.failures;
      st.last_error = error_message(written.error());
    }
    st.pending.clear();
  }
  for (auto& p : st.waiting)
    p.deliver(ok);
  st.waiting.clear();
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

caf::typed_response_promise<bool> await_commit(self_ptr self) {
  auto promise = self->make_response_promise<bool>();
  self->state.waiting.push_back(promise);
  schedule_commit(self);
  return promise;
}

} // namespace

storage_state::~storage_state() {
  if (db && !pending.empty())
    static_cast<void>(db->write(pending));
}

storage_actor::behavior_type
storage(storage_actor::stateful_pointer<storage_state> self,
        std::shared_ptr<storage::store> db) {
  self->state.db = std::move(db);
  return {
    [self](persist_atom, const std::vector<engine::learned_entry>& cells) {
      for (const auto& e : cells)
        self->state.pending.put_learned(e);
      schedule_commit(self);
    },
    [self](persist_atom, const experiment_state& s) {
      self->state.pending.put_experiment(s);
      schedule_commit(self);
    },
    [self](persist_atom, predictor_bytes& p) {
      self->state.pending.put_predictor(std::move(p.bytes));
      schedule_commit(self);
    },
    [self](feedback_atom, const feedback_record& r) {
      self->state.pending.put_feedback(r, self->state.db->next_sequence());
      return await_commit(self);
    },
    [self](ledger_atom, const std::vector<ledger_entry>& entries) {
      for (const auto& e : entries)
        self->state.pending.put_ledger(e);
      return await_commit(self);
    },
    [self](log_atom, const decision_record& r) {
      self->state.pending.put_decision(r);
      schedule_commit(self);
    },
    [self](flush_atom) {
      auto promise = self->make_response_promise<bool>();
      self->state.waiting.push_back(promise);
      commit(self);
      return promise;
    },
    [self](commit_atom) {
      if (self->state.commit_scheduled)
        commit(self);
    },
    [self](run_atom, const storage_job_ptr& job) {
      // Reads see every write that arrived before them.
      if (!self->state.pending.empty())
        commit(self);
      if (job && job->run)
        job->run(*self->state.db);
    },
  };
}

} // namespace switchyard::actors
