#pragma once

#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/learning.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <deque>
#include <unordered_map>
#include <vector>

namespace switchyard::actors {

struct learning_state {
  static inline const char* name = "switchyard.learning";
  runtime_context ctx;
  engine::learning_params params;
  /// One cell per (model, task type).
  std::vector<engine::learned_cell> cells;
  std::vector<scorer_actor> subscribers;
  bool publish_pending = false;
  /// Which model and task type each recent decision went to, so feedback
  /// that names only a decision id lands on the right cell. Bounded.
  std::unordered_map<std::uint64_t, std::pair<std::uint16_t, engine::task_type>>
    decisions;
  std::deque<std::uint64_t> decision_order;
  std::uint64_t feedback_unmatched = 0;
};

/// How long learning waits to batch updates into one snapshot for the scorer.
inline constexpr std::chrono::milliseconds learning_publish_delay{50};

/// Keeps learned performance in memory and pushes snapshots to subscribers.
learning_actor::behavior_type
learning(learning_actor::stateful_pointer<learning_state> self,
         runtime_context ctx, std::vector<scorer_actor> subscribers);

} // namespace switchyard::actors
