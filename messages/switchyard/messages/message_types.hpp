#pragma once

#include "switchyard/messages/actor_interfaces.hpp"

#include <caf/actor_system_config.hpp>

namespace switchyard {

/// Registers every message type. Both sides of a remote link need it:
/// without it a remote request fails at run time, not at compile time.
inline void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<task_spec>("switchyard::task_spec");
  cfg.add_message_type<route_context>("switchyard::route_context");
  cfg.add_message_type<route_reply>("switchyard::route_reply");
  cfg.add_message_type<route_result>("switchyard::route_result");
  cfg.add_message_type<task_reply>("switchyard::task_reply");
  cfg.add_message_type<call_order>("switchyard::call_order");
  cfg.add_message_type<outcome_report>("switchyard::outcome_report");
  cfg.add_message_type<feedback_message>("switchyard::feedback_message");
  cfg.add_message_type<feedback_ack>("switchyard::feedback_ack");
  cfg.add_message_type<learned_delta>("switchyard::learned_delta");
  cfg.add_message_type<breaker_change>("switchyard::breaker_change");
  cfg.add_message_type<budget_request>("switchyard::budget_request");
  cfg.add_message_type<budget_grant>("switchyard::budget_grant");
  cfg.add_message_type<budget_settlement>("switchyard::budget_settlement");
  cfg.add_message_type<ledger_summary>("switchyard::ledger_summary");
  cfg.add_message_type<ensemble_reply>("switchyard::ensemble_reply");
  cfg.add_message_type<engine::classification>("switchyard::classification");
  cfg.add_message_type<engine::decision>("switchyard::decision");
  cfg.add_message_type<engine::call_result>("switchyard::call_result");
  cfg.add_message_type<engine::call_request>("switchyard::call_request");
  cfg.add_message_type<engine::performance_table>(
    "switchyard::performance_table");
  cfg.add_message_type<std::vector<std::uint64_t>>("std::vector<uint64_t>");
  // Learning, experiments and storage.
  cfg.add_message_type<std::vector<engine::sparse_feature>>(
    "std::vector<switchyard::sparse_feature>");
  cfg.add_message_type<predictor_bytes>("switchyard::predictor_bytes");
  cfg.add_message_type<std::vector<engine::prompt_term>>(
    "std::vector<switchyard::prompt_term>");
  cfg.add_message_type<prompt_history_bytes>(
    "switchyard::prompt_history_bytes");
  cfg.add_message_type<std::vector<engine::learned_entry>>(
    "std::vector<switchyard::learned_entry>");
  cfg.add_message_type<engine::experiment_spec>(
    "switchyard::experiment_spec");
  cfg.add_message_type<std::vector<engine::experiment_spec>>(
    "std::vector<switchyard::experiment_spec>");
  cfg.add_message_type<experiment_state>("switchyard::experiment_state");
  cfg.add_message_type<experiment_reply>("switchyard::experiment_reply");
  cfg.add_message_type<experiment_assignment>(
    "switchyard::experiment_assignment");
  cfg.add_message_type<feedback_record>("switchyard::feedback_record");
  cfg.add_message_type<std::vector<ledger_entry>>(
    "std::vector<switchyard::ledger_entry>");
  cfg.add_message_type<decision_record>("switchyard::decision_record");
  cfg.add_message_type<coordinator_actor>("switchyard::coordinator_actor");
}

} // namespace switchyard
