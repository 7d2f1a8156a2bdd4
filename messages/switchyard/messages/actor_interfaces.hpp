#pragma once

#include "switchyard/messages/atoms.hpp"
#include "switchyard/messages/cluster_messages.hpp"
#include "switchyard/messages/completion.hpp"
#include "switchyard/messages/storage_records.hpp"
#include "switchyard/messages/task_messages.hpp"
#include "switchyard/messages/traced_budget_request.hpp"

#include <caf/replies_to.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace switchyard {

/// Stateless: text in, classification out. Runs as a pool sized to the cores.
/// `score` classifies and hands the task on to the scorer, whose decision
/// goes straight back to the requester (one hop fewer per task).
using classifier_actor = caf::typed_actor<
  caf::replies_to<classify_atom, task_spec>::with<engine::classification>,
  caf::replies_to<score_atom, task_spec, route_context>::with<engine::decision>>;

/// Scores and selects from pushed snapshots; never asks another actor.
using scorer_actor = caf::typed_actor<
  caf::replies_to<score_atom, task_spec, engine::classification,
                  route_context>::with<engine::decision>,
  caf::reacts_to<snapshot_atom, engine::performance_table>,
  // The success predictor's weights, when they changed.
  caf::reacts_to<snapshot_atom, predictor_view_ptr>,
  // The prompt model's index, when learning rebuilt it.
  caf::reacts_to<snapshot_atom, prompt_index_ptr>,
  caf::reacts_to<breaker_atom, breaker_change>,
  // What can answer now (keys, local discovery, health probes).
  caf::reacts_to<avail_atom, availability_update>>;

/// One per provider. `acquire` asks to make a call now; `report` gives its
/// outcome (true = the provider behaved).
using breaker_actor = caf::typed_actor<
  caf::replies_to<acquire_atom>::with<bool>,
  caf::reacts_to<report_atom, bool>,
  // A health probe's outcome (true = the provider answered).
  caf::reacts_to<probe_atom, bool>,
  caf::reacts_to<poll_atom>,
  caf::replies_to<state_atom>::with<breaker_change>,
  // Clustering: report opens caused here to this actor; open because a
  // peer's breaker opened (for the given ms).
  caf::reacts_to<cluster_atom, caf::actor>,
  caf::reacts_to<force_open_atom, std::int64_t>>;

/// One per provider: concurrency limit, retries, timeouts. The done, retry
/// and timeout messages are its own, sent to itself.
using executor_actor = caf::typed_actor<
  caf::replies_to<call_atom, call_order>::with<engine::call_result>,
  caf::reacts_to<cancel_atom, std::uint64_t>,
  caf::reacts_to<done_atom, std::uint64_t, std::uint32_t, engine::call_result>,
  caf::reacts_to<retry_atom, std::uint64_t>,
  caf::reacts_to<timeout_atom>>;

/// Runs an ensemble: members in parallel, then the consensus (and the judge
/// model for the judge strategy). The timeout message is its own, sent to
/// itself when an ensemble's deadline passes (by run id).
using judge_actor = caf::typed_actor<
  caf::replies_to<ensemble_atom, task_spec, engine::decision>::with<
    ensemble_reply>,
  caf::reacts_to<timeout_atom, std::uint64_t>>;

/// Budgets per key, per day and global.
using ledger_actor = caf::typed_actor<
  caf::replies_to<reserve_atom, budget_request>::with<budget_grant>,
  // The same for a traced task: a cluster's ledger records the wait on a
  // scope's owner node as a span of the task's trace.
  caf::replies_to<reserve_atom, traced_budget_request>::with<budget_grant>,
  caf::reacts_to<settle_atom, budget_settlement>,
  caf::replies_to<stats_atom>::with<ledger_summary>,
  // A key's own budget in nano-USD; negative: back to the policy's per-key
  // cap. Spend so far still counts.
  caf::reacts_to<key_cap_atom, std::string, std::int64_t>,
  // True once every settled spend so far is stored.
  caf::replies_to<flush_atom>::with<bool>>;

/// The whole flow of one task, for every task in flight. Submissions are
/// in-process and answer through a callback.
using coordinator_actor = caf::typed_actor<
  caf::reacts_to<route_atom, task_spec, route_completion_ptr>,
  caf::reacts_to<execute_atom, task_spec, task_completion_ptr>,
  caf::replies_to<approve_atom, std::uint64_t, bool>::with<bool>,
  caf::replies_to<pending_atom>::with<std::vector<std::uint64_t>>,
  caf::reacts_to<timeout_atom, std::uint64_t>,
  // A plan's specialists reached their deadline (id, the deadline in ms).
  caf::reacts_to<timeout_atom, std::uint64_t, std::uint32_t>,
  // The running A/B tests, pushed by learning whenever they change.
  caf::reacts_to<experiment_atom, std::vector<engine::experiment_spec>>>;

/// Learned performance: outcomes and feedback in, snapshots out to the scorer.
/// Owns the A/B tests; persists through the storage actor when there is one.
using learning_actor = caf::typed_actor<
  caf::reacts_to<outcome_atom, outcome_report>,
  // A decision was made (decision id, model, task type, the prompt's
  // predictor features and prompt-model terms, the owner: decision_owner()
  // of its key): feedback may follow.
  caf::reacts_to<route_atom, std::uint64_t, std::uint16_t, engine::task_type,
                 std::vector<engine::sparse_feature>,
                 std::vector<engine::prompt_term>, std::uint64_t>,
  // The model whose answer the caller got, when it is not the one first
  // routed (a fallback, an ensemble's winner, a plan's final step):
  // feedback on the decision rates that model.
  caf::reacts_to<answered_atom, std::uint64_t, std::uint16_t>,
  caf::replies_to<feedback_atom, feedback_message>::with<feedback_ack>,
  caf::reacts_to<publish_atom>,
  caf::replies_to<snapshot_atom>::with<engine::performance_table>,
  // A/B tests: assignments from coordinators, start / stop / list, and the
  // coordinators that apply the running tests.
  caf::reacts_to<assign_atom, experiment_assignment>,
  caf::replies_to<start_atom, engine::experiment_spec>::with<experiment_reply>,
  caf::replies_to<stop_atom, std::string>::with<experiment_reply>,
  caf::replies_to<experiment_atom>::with<experiment_reply>,
  caf::reacts_to<experiment_atom, coordinator_actor>,
  // Persists what changed since the last snapshot; true once stored.
  caf::replies_to<flush_atom>::with<bool>,
  // Clustering: send learned evidence (deltas) to this actor; the other
  // nodes' evidence to blend into snapshots.
  caf::reacts_to<cluster_atom, caf::actor>,
  caf::reacts_to<merge_atom, std::vector<engine::evidence_entry>>>;

/// Owns the store (RocksDB) on a thread of its own (spawned detached), so
/// that no blocking call runs on a scheduler thread. Writes are batched:
/// whatever arrives while a batch is written goes into the next one, and
/// acknowledged writes (feedback, ledger) are answered once their batch is
/// in the WAL.
using storage_actor = caf::typed_actor<
  caf::reacts_to<persist_atom, std::vector<engine::learned_entry>>,
  caf::reacts_to<persist_atom, experiment_state>,
  caf::reacts_to<persist_atom, predictor_bytes>,
  caf::reacts_to<persist_atom, prompt_history_bytes>,
  caf::replies_to<feedback_atom, feedback_record>::with<bool>,
  // Feedback on a decision learning no longer remembers: stored only when
  // the decision is in the log (or its write queue) and, for a non-empty
  // key id, was made by that key; the record's model and type are filled
  // from the logged decision.
  caf::replies_to<feedback_atom, feedback_record, std::string>::with<
    feedback_ack>,
  caf::replies_to<ledger_atom, std::vector<ledger_entry>>::with<bool>,
  caf::reacts_to<log_atom, decision_record>,
  // Writes whatever is pending now; true once it is stored.
  caf::replies_to<flush_atom>::with<bool>,
  // Its own signal to write the pending batch.
  caf::reacts_to<commit_atom>,
  // Blocking reads (explain, analytics) on the storage thread.
  caf::reacts_to<run_atom, storage_job_ptr>>;

} // namespace switchyard
