#pragma once

#include <atomic>
#include <memory>

#include "switchyard/actors/decision_log_queue.hpp"
#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/cancel_token.hpp"
#include "switchyard/engine/plan_flow.hpp"
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

/// A task that runs as a plan of several calls (engine::plan_flow): each
/// step is a task run of its own (a child), answering here.
struct plan_run {
  explicit plan_run(engine::plan_flow f) : flow(std::move(f)) {
    // Steps start at flow.start().
  }
  engine::plan_flow flow;
  /// By step (the flow's outcome index): the child's answer, its routing
  /// rounds (kept only with a store) and when it started (ms after the
  /// task).
  std::vector<task_reply> replies;
  std::vector<std::vector<decision_round>> rounds;
  std::vector<double> started_ms;
  /// Each step's own cancel token: cancelling it cuts the step.
  std::vector<std::shared_ptr<engine::cancel_token>> cancels;
  /// The final step streams as it runs (chain, specialists); otherwise
  /// the answer goes out whole once the plan ends.
  bool stream_live = false;
  /// A route-only plan: steps still being routed.
  std::size_t routing = 0;
};

struct coordinator_state {
  static inline const char* name = "switchyard.coordinator";

  /// One task from arrival to its one reply: its flow (engine::task_flow)
  /// and what the actor needs to drive it.
  struct task_run {
    task_run(const engine::registry& reg, task_spec s, bool exec,
             std::vector<std::uint16_t> avoid = {}, bool approved = false)
      : spec(std::move(s)),
        flow(reg, {exec, !spec.force_model.empty(), spec.max_output_tokens,
                   approved, std::move(avoid)}) {
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
    /// Whether the task's plan was chosen yet (at its first reservation).
    bool plan_checked = false;
    /// Set when the task runs as a plan.
    std::unique_ptr<plan_run> plan;
    /// A plan's step: the plan's task id and the step (0: not a step).
    std::uint64_t parent = 0;
    std::size_t step = 0;

    [[nodiscard]] bool executes() const noexcept {
      return on_task != nullptr;
    }
  };

  runtime_context ctx;
  coordinator_peers peers;
  std::unordered_map<std::uint64_t, task_run> runs;
  std::uint64_t next_decision = 0;
  /// Counts the ids of plans' steps (see engine::plan_step_id_bit).
  std::uint64_t next_step = 0;
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
