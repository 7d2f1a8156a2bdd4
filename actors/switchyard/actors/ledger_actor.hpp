#pragma once

#include "switchyard/engine/time_source.hpp"
#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/multi_scope_ledger.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace switchyard::actors {

/// Where the ledger persists settled spend, and what it starts from.
struct ledger_setup {
  /// The storage actor; null keeps spend in memory only.
  storage_actor storage;
  /// Settled spend per scope and day, from the store.
  std::vector<ledger_entry> history;
  /// Wall clock for the budget day.
  std::shared_ptr<const engine::time_source> time;
  /// Where the ledger publishes whether any cap is set (see
  /// coordinator_peers::budget_caps_set); may be null.
  std::shared_ptr<std::atomic<bool>> caps_set;
};

struct ledger_state {
  static inline const char* name = "switchyard.ledger";
  /// The global, daily and per-key budgets.
  engine::multi_scope_ledger budgets;
  // -- persistence --
  storage_actor storage;
  /// Day totals settled since the last write went to the store, one per
  /// scope and day (the newest total replaces the one before it).
  std::vector<ledger_entry> unsent;
  /// Spend writes on their way to the store. While one is, new totals
  /// gather in `unsent`: one write per store commit, not one per task.
  std::size_t writes_in_flight = 0;
  std::shared_ptr<const engine::time_source> time;
  std::uint64_t persist_failures = 0;
  std::shared_ptr<std::atomic<bool>> caps_set;
};

/// Reserves a task's worst-case cost in every scope at once (global, the
/// day, the key) and settles the real cost after the call, so concurrent
/// reservations never exceed any cap. A settlement without reservations
/// (made while no cap was set) records its cost in every scope. With a store,
/// settled spend is persisted per scope and day (synced) and counts again
/// after a restart.
ledger_actor::behavior_type
ledger(ledger_actor::stateful_pointer<ledger_state> self, budget_limits limits,
       ledger_setup setup);

} // namespace switchyard::actors
