#pragma once

#include "switchyard/messages/atoms.hpp"
#include "switchyard/messages/completion.hpp"
#include "switchyard/messages/task_messages.hpp"

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
  caf::reacts_to<breaker_atom, breaker_change>>;

/// One per provider. `acquire` asks to make a call now; `report` gives its
/// outcome (true = the provider behaved).
using breaker_actor = caf::typed_actor<
  caf::replies_to<acquire_atom>::with<bool>,
  caf::reacts_to<report_atom, bool>,
  caf::reacts_to<poll_atom>,
  caf::replies_to<state_atom>::with<breaker_change>>;

/// One per provider: concurrency limit, retries, timeouts. The done, retry
/// and timeout messages are its own, sent to itself.
using executor_actor = caf::typed_actor<
  caf::replies_to<call_atom, call_order>::with<engine::call_result>,
  caf::reacts_to<cancel_atom, std::uint64_t>,
  caf::reacts_to<done_atom, std::uint64_t, std::uint32_t, engine::call_result>,
  caf::reacts_to<retry_atom, std::uint64_t>,
  caf::reacts_to<timeout_atom, std::uint64_t, std::uint32_t>>;

/// Runs an ensemble: members in parallel, then the consensus (and the judge
/// model for the judge strategy).
using judge_actor = caf::typed_actor<caf::replies_to<
  ensemble_atom, task_spec, engine::decision>::with<ensemble_reply>>;

/// Learned performance: outcomes and feedback in, snapshots out to the scorer.
using learning_actor = caf::typed_actor<
  caf::reacts_to<outcome_atom, outcome_report>,
  // A decision was made (decision id, model, task type): feedback may follow.
  caf::reacts_to<route_atom, std::uint64_t, std::uint16_t, engine::task_type>,
  caf::reacts_to<feedback_atom, feedback_message>,
  caf::reacts_to<publish_atom>,
  caf::replies_to<snapshot_atom>::with<engine::performance_table>>;

/// Budgets per key, per day and global.
using ledger_actor = caf::typed_actor<
  caf::replies_to<reserve_atom, budget_request>::with<budget_grant>,
  caf::reacts_to<settle_atom, budget_settlement>,
  caf::replies_to<stats_atom>::with<ledger_summary>>;

/// The whole flow of one task, for every task in flight.
using coordinator_actor = caf::typed_actor<
  caf::replies_to<route_atom, task_spec>::with<route_reply>,
  caf::replies_to<execute_atom, task_spec>::with<task_reply>,
  // In-process submissions that answer through a callback.
  caf::reacts_to<route_atom, task_spec, route_completion_ptr>,
  caf::reacts_to<execute_atom, task_spec, task_completion_ptr>,
  caf::replies_to<approve_atom, std::uint64_t, bool>::with<bool>,
  caf::replies_to<pending_atom>::with<std::vector<std::uint64_t>>,
  caf::reacts_to<timeout_atom, std::uint64_t>>;

} // namespace switchyard
