#pragma once

#include "switchyard/engine/attempt_record.hpp"
#include "switchyard/engine/decision.hpp"
#include "switchyard/engine/route_context.hpp"
#include "switchyard/engine/task_step.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

struct experiment_spec;
struct registry;
class keyword_classifier;

/// Whether an attempt's outcome says something about the model's answers
/// (and so feeds learning): not when it was cancelled, refused by the
/// breaker, or refused by this node's own limits.
[[nodiscard]] bool informs_learning(call_error e) noexcept;

/// What a task asks of its flow.
struct task_flow_options {
  /// Execute the task (false: route only).
  bool execute = true;
  /// The caller forced a model: no fresh routing round after it fails.
  bool caller_forced_model = false;
  /// The caller's cap on output tokens; else the policy's per-task maximum.
  std::optional<std::uint32_t> max_output_tokens;
  /// A step of a plan: the plan took the task's approval already.
  bool approved = false;
  /// Models the first routing round leaves out (a plan's specialists land
  /// on distinct providers that way); later rounds add the failed ones.
  std::vector<std::uint16_t> avoid;
};

/// The lifecycle of one task as a pure state machine: the driver (the
/// coordinator actor) reports each event and does the step it gets back.
///
///   classify -> decided -> [await_approval] -> reserve -> budget_answer
///     -> call -> call_finished -> (reserve the next fallback | score again
///        | succeed | fail)
///     -> run_ensemble -> ensemble_finished -> (succeed | fail)
///
/// The rules: a failed model is excluded and the decision's fallback chain
/// walked, skipping local models once `escalate_after_local_failures` local
/// models failed (when cloud fallback is allowed); once the chain runs out,
/// the task is routed afresh, at most three rounds, never for a forced
/// model. A client error other than 404 fails the task (another model
/// would refuse the request too); a 404 falls back. After the first
/// streamed byte nothing falls back: a failure fails the task, a budget cut
/// ends the answer. A refused reservation routes the task once more knowing
/// what is left, then fails naming the scope. A running A/B test assigns
/// the task an arm once; an arm that forces another model routes again
/// without counting a round. A critical task waits for approval when the
/// policy asks. A caller who walked away gets `cancelled`.
class task_flow {
 public:
  /// `reg` must outlive the flow.
  task_flow(const registry& reg, task_flow_options opts);

  // -- events
  // ------------------------------------------------------------------

  /// The first step.
  [[nodiscard]] task_step start();

  /// A routing decision arrived. `experiments` are the running A/B tests;
  /// `decision_id` keys the arm assignment.
  [[nodiscard]] task_step
  decided(decision d, std::span<const experiment_spec> experiments,
          std::uint64_t decision_id, const keyword_classifier& classifier);

  /// The ledger's answer to the last `reserve` step. `scope` names the
  /// budget that refused it.
  [[nodiscard]] task_step budget_answer(bool granted, usd_nanos remaining,
                                        std::string_view scope);

  /// A model's call ended. `streamed`: the caller already has part of its
  /// answer. `abandoned`: the caller went away.
  [[nodiscard]] task_step
  call_finished(const attempt_record& a, int http_status,
                std::string_view error_message, bool streamed, bool abandoned);

  /// The ensemble ended: its members' attempts, and its winner when `ok`.
  [[nodiscard]] task_step
  ensemble_finished(const std::vector<attempt_record>& members, usd_nanos cost,
                    bool ok, std::uint16_t winner,
                    std::string_view error_message, bool abandoned);

  /// A human answered; none when the task was not waiting for one.
  [[nodiscard]] std::optional<task_step> approval(bool approved);

  /// The approval wait ran out; none when the task was not waiting.
  [[nodiscard]] std::optional<task_step>
  approval_timed_out(std::int64_t waited_ms);

  /// A peer the flow depends on did not answer (`what` says which and
  /// why); the ledger's silence is a budget failure, any other a routing
  /// failure.
  [[nodiscard]] task_step peer_failed(bool ledger, std::string what) const;

  // -- state
  // -------------------------------------------------------------------

  /// What the next routing round must know.
  [[nodiscard]] const route_context& context() const noexcept {
    return ctx_;
  }
  [[nodiscard]] const classification& cls() const noexcept {
    return cls_;
  }
  [[nodiscard]] decision& current() noexcept {
    return decision_;
  }
  [[nodiscard]] const decision& current() const noexcept {
    return decision_;
  }
  [[nodiscard]] std::vector<attempt_record>& attempts() noexcept {
    return attempts_;
  }
  [[nodiscard]] const std::vector<attempt_record>& attempts() const noexcept {
    return attempts_;
  }
  [[nodiscard]] usd_nanos spent() const noexcept {
    return spent_;
  }
  [[nodiscard]] std::uint32_t rounds() const noexcept {
    return rounds_;
  }
  [[nodiscard]] bool awaiting_approval() const noexcept {
    return awaiting_approval_;
  }
  /// The A/B test and arm that took the task; empty id for none.
  [[nodiscard]] const std::string& experiment() const noexcept {
    return experiment_;
  }
  [[nodiscard]] std::uint32_t experiment_arm() const noexcept {
    return arm_;
  }

  /// Routing rounds before a task gives up: the first decision, then
  /// fresh decisions once a fallback chain runs out.
  static constexpr std::uint32_t max_rounds = 3;

 private:
  task_step score();
  task_step fail(error_code code, std::string message) const;
  task_step refuse(const keyword_classifier& classifier) const;
  /// True (and the arm's model forced) when the task's A/B arm wants
  /// another model than the decision's.
  bool assign_arm(std::span<const experiment_spec> experiments,
                  std::uint64_t decision_id);
  task_step begin_execution();
  task_step reserve_for(std::uint16_t model);
  task_step next_model();

  const registry* reg_;
  task_flow_options opts_;
  route_context ctx_;
  classification cls_;
  decision decision_;
  std::vector<attempt_record> attempts_;
  usd_nanos spent_ = 0;
  std::size_t next_fallback_ = 0;
  std::uint32_t rounds_ = 0;
  bool budget_rerouted_ = false;
  bool awaiting_approval_ = false;
  bool experiment_checked_ = false;
  std::string experiment_;
  std::uint32_t arm_ = 0;
  /// What the pending reservation is for.
  bool reserving_ensemble_ = false;
  std::uint16_t reserving_model_ = 0;
  usd_nanos reserving_amount_ = 0;
};

} // namespace switchyard::engine
