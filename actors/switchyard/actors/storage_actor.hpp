#pragma once

#include "switchyard/actors/decision_log_queue.hpp"
#include "switchyard/messages/actor_interfaces.hpp"
#include "switchyard/storage/store.hpp"

#include <caf/actor_clock.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace switchyard::actors {

struct storage_state {
  static inline const char* name = "switchyard.storage";
  std::shared_ptr<storage::store> db;
  /// Writes that arrived since the last commit, applied as one batch.
  storage::store_batch pending;
  /// Answers due once `pending` is stored (true) or failed (false).
  std::vector<std::function<void(bool)>> waiting;
  /// A commit is due once the mailbox is drained (someone waits on it).
  bool commit_scheduled = false;
  /// A group-commit window is open: writes no one waits on at once are
  /// gathering, and a job-less run_atom closes the window.
  bool window_open = false;
  /// How long that window stays open: storage_commit_window when
  /// detached, else zero (no window).
  caf::timespan commit_window{};
  /// Counts decision records out once their batch is written (null: no
  /// bound, as in tests that drive the actor directly).
  std::shared_ptr<decision_log_queue> log_queue;
  /// Decision records in `pending`.
  std::size_t pending_decisions = 0;
  /// When to next check the store's size cap (storage::store::max_bytes).
  caf::actor_clock::time_point next_size_check{};
  std::uint64_t batches = 0;
  std::uint64_t failures = 0;
  std::string last_error;

  /// Writes what is still pending when the actor goes away.
  ~storage_state();
};

/// A batch is written at once when it grows this large.
inline constexpr std::size_t storage_max_batch = 4096;

/// How long writes that no request waits on (the decision log, learned
/// state, ledger spend) gather before they are written together: one WAL
/// write, and with spend one WAL sync, per window instead of one per
/// message. Spend is still acknowledged (to the ledger) only once synced.
/// Chosen by measurement (bench/README.md, "The store's CPU").
inline constexpr caf::timespan storage_commit_window
  = std::chrono::milliseconds{5};

/// Owns the store. Spawn it `caf::detached`: every handler may block on
/// disk. Writes arriving together share one batch and one WAL sync (group
/// commit), which is what makes synced feedback affordable under load.
/// Feedback, flushes and reads commit as soon as the mailbox is drained;
/// the other writes wait for the group-commit window when the actor is
/// detached (its own thread and the real clock). Run by the test scheduler
/// it commits them as feedback, as deterministic tests expect.
storage_actor::behavior_type
storage(storage_actor::stateful_pointer<storage_state> self,
        std::shared_ptr<storage::store> db,
        std::shared_ptr<decision_log_queue> log_queue);

} // namespace switchyard::actors
