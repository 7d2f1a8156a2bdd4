#pragma once

#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/budget_ledger.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace switchyard::actors {

/// Where the ledger persists settled spend, and what it starts from.
struct ledger_setup {
  /// The storage actor; null keeps spend in memory only.
  storage_actor storage;
  /// Settled spend per scope and day, from the store.
  std::vector<ledger_entry> history;
  /// Wall clock (ms since the Unix epoch) for the day; the system clock
  /// when empty.
  std::function<std::int64_t()> wall_clock_ms;
  /// Where the ledger publishes whether any cap is set (see
  /// coordinator_peers::budget_caps_set); may be null.
  std::shared_ptr<std::atomic<bool>> caps_set;
};

struct ledger_state {
  static inline const char* name = "switchyard.ledger";
  budget_limits limits;
  engine::budget_ledger global{0};
  engine::budget_ledger daily{0};
  /// Days since the Unix epoch (UTC) that `daily` counts.
  std::int64_t day = -1;
  /// Every key that spent or reserved; capped by its own budget (key_caps),
  /// else the policy's per-key cap, else unlimited.
  std::unordered_map<std::string, engine::budget_ledger> keys;
  /// Keys' own budgets, from the key records.
  std::unordered_map<std::string, engine::usd_nanos> key_caps;
  std::uint64_t refusals = 0;
  // -- persistence --
  storage_actor storage;
  std::function<std::int64_t()> wall_clock_ms;
  /// Settled spend of `day` per scope ("global", "key:ID"), as stored.
  std::unordered_map<std::string, std::int64_t> spent_today;
  std::uint64_t persist_failures = 0;
  std::shared_ptr<std::atomic<bool>> caps_set;
};

/// Reserves a task's worst-case cost in every scope at once (global, the
/// day, the key) and settles the real cost after the call, so concurrent
/// reservations never exceed any cap. A settlement without reservations
/// (made while no cap was set) records its cost in every scope. With a store, settled spend is
/// persisted per scope and day (synced) and counts again after a restart.
ledger_actor::behavior_type
ledger(ledger_actor::stateful_pointer<ledger_state> self, budget_limits limits,
       ledger_setup setup);

} // namespace switchyard::actors
