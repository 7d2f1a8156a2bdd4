#pragma once

#include "switchyard/engine/error_code.hpp"
#include "switchyard/engine/money.hpp"

#include <cstdint>
#include <string>

namespace switchyard::engine {

/// What the driver of a task does next (see task_flow).
enum class task_action : std::uint8_t {
  /// Classify and route the task: its first decision.
  classify,
  /// Route the task again with task_flow::context().
  score,
  /// Reserve `amount` for `model` (or, with `ensemble`, for the whole
  /// ensemble), then report the ledger's answer.
  reserve,
  /// Call `model` with at most `max_tokens` output tokens; the reservation
  /// is held.
  call,
  /// Hand the decision's ensemble to the judge; the reservation is held.
  run_ensemble,
  /// Hold the task for a human: approval() or approval_timed_out() later.
  await_approval,
  /// A route-only task is done: answer with the decision.
  answer_route,
  /// Answer with `model`'s result.
  succeed,
  /// Answer with `error` and `message`.
  fail,
};

/// One step of a task's flow, with what it needs.
struct task_step {
  task_action action = task_action::classify;
  std::uint16_t model = 0;
  usd_nanos amount = 0;
  std::uint32_t max_tokens = 0;
  /// The reservation or the answer is the ensemble's, not one model's.
  bool ensemble = false;
  /// The decision was just taken for this task: learning hears of it.
  bool decision_taken = false;
  /// The task was just assigned to an arm of an A/B test.
  bool arm_assigned = false;
  error_code error = error_code::none;
  std::string message;
};

} // namespace switchyard::engine
