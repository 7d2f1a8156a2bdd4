#pragma once

#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/prompt_index.hpp"
#include "switchyard/engine/router.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <vector>

namespace switchyard::actors {

struct scorer_state {
  static inline const char* name = "switchyard.scorer";
  runtime_context ctx;
  engine::performance_table performance;
  /// Per provider: non-zero while its breaker is open.
  std::vector<std::uint8_t> breaker_open;
  /// engine::unavailability per provider and per model; both empty while
  /// everything is available (the common case costs the router nothing).
  std::vector<std::uint8_t> provider_unavailable;
  std::vector<std::uint8_t> model_unavailable;
  /// The success predictor as learning last published it; null until then
  /// (and always without a predictor).
  predictor_view_ptr predictor;
  /// The prompt model's index as learning last built it; null until then
  /// (and always unless the registry enables the prompt model).
  prompt_index_ptr prompt_index;
  /// Reused per decision.
  std::vector<engine::success_estimate> estimates;
  std::vector<engine::prompt_estimate> prompt_estimates;
  std::vector<engine::success_estimate> combined;
};

/// Scores and selects from the snapshots pushed to it (learned performance,
/// the success predictor, breaker states); it never asks another
/// actor, so a decision costs one message. `initial` is the learned state it
/// starts from (rebuilt from the store), so that the first decisions after a
/// restart already read it.
scorer_actor::behavior_type
scorer(scorer_actor::stateful_pointer<scorer_state> self, runtime_context ctx,
       engine::performance_table initial);

} // namespace switchyard::actors
