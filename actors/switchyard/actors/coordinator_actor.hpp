#pragma once

#include <atomic>
#include <memory>

#include "switchyard/actors/decision_log_queue.hpp"
#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/task_flow.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <caf/typed_response_promise.hpp>

#include <unordered_map>
#include <vector>

namespace switchyard::actors {

/// The actors a coordinator drives.
struct coordinator_peers {
  classifier_actor classifier;
  scorer_actor scorer;
  ledger_actor ledger;
  learning_actor learning;
  judge_actor judge;
  /// By provider index.
  std::vector<executor_actor> executors;
  /// The decision log; null when the runtime keeps no store.
  storage_actor storage;
  /// Whether any budget cap is set, as the ledger last published it. While
  /// none is, a call needs no reservation: its cost is only recorded, at
  /// settlement. Null: always reserve (a ledger behind a cluster's).
  std::shared_ptr<const std::atomic<bool>> budget_caps_set;
  /// Bounds the records sent to `storage`; null when there is none.
  std::shared_ptr<decision_log_queue> log_queue;
};

/// What a coordinator starts from when the runtime has a store.
struct coordinator_start {
  /// The highest decision id logged so far; new ids continue above it.
  std::uint64_t last_decision_id = 0;
  /// Or'ed into every id: the node's part in a cluster (see
  /// engine/decision_ids.hpp), 0 otherwise.
  std::uint64_t decision_id_prefix = 0;
  /// The A/B tests running at start (learning pushes later changes).
  std::vector<engine::experiment_spec> experiments;
};

struct coordinator_state {
  static inline const char* name = "switchyard.coordinator";

  /// One task from arrival to its one reply: its flow (engine::task_flow)
  /// and what the actor needs to drive it.
  struct task_run {
    task_run(const engine::registry& reg, task_spec s, bool exec)
      : spec(std::move(s)),
        flow(reg, {exec, !spec.force_model.empty(), spec.max_output_tokens}) {
      // The flow starts at start().
    }
    task_spec spec;
    engine::task_flow flow;
    std::uint64_t decision_id = 0;
    /// Exactly one of them answers the task: on_task for a task to execute,
    /// on_route for a route-only one.
    route_completion_ptr on_route;
    task_completion_ptr on_task;
    /// The current attempt's stream, when streaming.
    std::shared_ptr<stream_sink> sink;
    /// What the ledger granted for the flow's next call or ensemble; empty
    /// while no cap is set.
    std::vector<std::uint64_t> reservation;
    caf::actor_clock::time_point started{};
    /// Wall-clock admission time (ms since the Unix epoch), for the log.
    std::int64_t created_unix_ms = 0;
    /// Every routing round so far, kept only when there is a store.
    std::vector<decision_round> rounds_log;

    [[nodiscard]] bool executes() const noexcept {
      return on_task != nullptr;
    }
  };

  runtime_context ctx;
  coordinator_peers peers;
  std::unordered_map<std::uint64_t, task_run> runs;
  std::uint64_t next_decision = 0;
  std::uint64_t decision_id_prefix = 0;
  /// Several coordinators share the load; decision ids carry the shard:
  /// id % shards names the coordinator that owns the task.
  std::uint64_t shard = 0;
  std::uint64_t shards = 1;
  std::chrono::milliseconds approval_timeout{300'000};
  /// The running A/B tests, as learning last pushed them.
  std::vector<engine::experiment_spec> experiments;
};

/// Drives every task's flow (engine::task_flow, which holds the rules),
/// with per-task state in one actor (no spawn per request): it sends what
/// each step asks for to the classifier, scorer, ledger, executors or
/// judge, reports the answers back to the flow, settles every reservation
/// and logs the decision before answering. Running A/B tests force
/// their arm's model on the tasks they assign. With a store, every decision
/// goes to the log with its inputs.
coordinator_actor::behavior_type
coordinator(coordinator_actor::stateful_pointer<coordinator_state> self,
            runtime_context ctx, coordinator_peers peers,
            std::chrono::milliseconds approval_timeout, std::uint64_t shard,
            std::uint64_t shards, coordinator_start start = {});

} // namespace switchyard::actors
