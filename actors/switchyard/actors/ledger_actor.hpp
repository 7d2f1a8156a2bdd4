#pragma once

#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/budget_ledger.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <string>
#include <unordered_map>

namespace switchyard::actors {

struct ledger_state {
  static inline const char* name = "switchyard.ledger";
  budget_limits limits;
  engine::budget_ledger global{0};
  engine::budget_ledger daily{0};
  /// Days since the Unix epoch (UTC) that `daily` counts.
  std::int64_t day = -1;
  std::unordered_map<std::string, engine::budget_ledger> keys;
  std::uint64_t refusals = 0;
};

/// Reserves a task's worst-case cost in every scope at once (global, the
/// day, the key) and settles the real cost after the call, so concurrent
/// reservations never exceed any cap.
ledger_actor::behavior_type
ledger(ledger_actor::stateful_pointer<ledger_state> self, budget_limits limits);

} // namespace switchyard::actors
