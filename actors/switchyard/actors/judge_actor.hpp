#pragma once

#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <caf/typed_response_promise.hpp>

#include <unordered_map>
#include <vector>

namespace switchyard::actors {

struct judge_state {
  static inline const char* name = "switchyard.judge";

  struct member {
    std::uint16_t model = 0;
    std::uint64_t call_id = 0;
    bool done = false;
    /// The ensemble proceeded without it and cancelled its call.
    bool cut = false;
    engine::call_result result;
    std::uint32_t arrival = 0;
  };

  /// One ensemble in progress.
  struct run {
    task_spec spec;
    engine::decision decision;
    caf::typed_response_promise<ensemble_reply> promise;
    std::vector<member> members;
    std::uint32_t arrivals = 0;
    /// Its deadline (ensemble_plan::deadline_ms) has passed.
    bool deadline_passed = false;
    /// It went on to the consensus; answers arriving later are not used.
    bool proceeded = false;
  };

  runtime_context ctx;
  /// Executors by provider index.
  std::vector<executor_actor> executors;
  std::unordered_map<std::uint64_t, run> runs;
  std::uint64_t next_run = 0;
};

/// Runs ensembles: every member at once through its provider's executor, then
/// the consensus; the judge strategy asks the judge model through its
/// executor, first_success answers with the first success and cancels the
/// rest. Hedged: an ensemble proceeds once its quorum has answered, or at its
/// deadline with at least one answer (engine::ensemble_progress), and cancels
/// the members still running.
judge_actor::behavior_type
judge(judge_actor::stateful_pointer<judge_state> self, runtime_context ctx,
      std::vector<executor_actor> executors);

} // namespace switchyard::actors
