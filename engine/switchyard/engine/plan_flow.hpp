#pragma once

#include "switchyard/engine/decision.hpp"
#include "switchyard/engine/execution_plan.hpp"
#include "switchyard/engine/plan_policy.hpp"
#include "switchyard/engine/step_outcome.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

struct registry;

/// What a plan's flow needs besides the plan.
struct plan_settings {
  /// The plan's one budget over all its steps.
  usd_nanos budget = 0;
  /// Rate a single-call answer and escalate below the policy's threshold
  /// (off for streamed requests unless buffered).
  bool escalate = false;
};

/// A step to start: a routed call of its own (with its fallbacks and
/// breaker), as its driver builds it from this.
struct step_launch {
  /// Index into plan_flow::outcomes().
  std::size_t step = 0;
  /// The step answers for the task: it gets the whole conversation with
  /// its tools, images and response_format (and streams); `instruction`
  /// joins the conversation's instructions. Other steps get text only: a
  /// system turn of `instruction` and a user turn of `input`.
  bool final = false;
  std::string instruction;
  std::string input;
  complexity_tier route_as = complexity_tier::simple;
  /// The most the step may spend.
  usd_nanos budget = 0;
  /// Output tokens the step may write; 0 for the task's own limit.
  std::uint32_t max_output_tokens = 0;
  /// Models to route around, so that specialists land on distinct
  /// providers where the candidates allow.
  std::vector<std::uint16_t> avoid;
  /// Escalation: the stronger model to run on.
  std::optional<std::uint16_t> force_model;
};

/// How a step's call ended.
struct step_result {
  bool ok = false;
  bool has_model = false;
  std::uint16_t model = 0;
  std::string text;
  /// The answer was a tool call without text (taken as its text: empty).
  bool tool_call_only = false;
  usd_nanos cost_nanos = 0;
  double started_ms = 0.0;
  double latency_ms = 0.0;
  std::uint32_t input_tokens = 0;
  std::uint32_t output_tokens = 0;
  error_code error = error_code::none;
  std::string message;
  /// The step's last routing decision (escalation looks for a stronger
  /// model in it); may be null.
  const decision* routed = nullptr;
};

enum class plan_action : std::uint8_t {
  /// Start `launches` (in parallel when several).
  launch,
  /// Nothing to start: steps are still running.
  wait,
  /// The task's answer is step `answer_step`'s.
  succeed,
  fail,
};

struct plan_next {
  plan_action action = plan_action::wait;
  std::vector<step_launch> launches;
  /// The launches are specialists: call deadline_passed() this many ms
  /// after they start (0: no deadline).
  std::uint32_t deadline_ms = 0;
  /// Steps still running that the plan no longer waits for: cancel them.
  std::vector<std::size_t> cut;
  std::size_t answer_step = 0;
  error_code error = error_code::none;
  std::string message;
};

/// The candidate just stronger than `answered` in `d`: the lowest
/// predicted quality above the answered model's (the cheaper on a tie);
/// none when there is none.
[[nodiscard]] std::optional<std::uint16_t>
next_stronger_model(const decision& d, std::uint16_t answered);

/// The worst case of each of `plan`'s steps, from the task's own decision:
/// a step routed as the task's tier on the decided model (the ensemble's
/// worst for an ensemble), a step routed as simple on the cheapest
/// candidate that meets the simple tier's requirement; with the context
/// each step reads (the plan, the notes, the answer) added to its input.
[[nodiscard]] std::vector<usd_nanos>
step_worst_costs(const registry& reg, const decision& task,
                 const execution_plan& plan);

/// Runs one plan (DESIGN.md "Execution plans") as a pure state machine:
/// the driver starts the steps it gets, reports each one's end, and
/// answers with the step it names.
///
///   single: answer [-> judge -> escalation]  (with quality escalation)
///   chain: planner -> executor
///   specialists: roles in parallel -> synthesis
///   critic: roles in parallel -> synthesis -> critic
///           [-> synthesis -> critic, at most max_revisions times]
///
/// The plan is cut to its budget first (fit_to_budget), down to a single
/// call when not even its shortest form fits (the router chose that call
/// within the budget); each step gets
/// its worst case plus an even share of the slack. A failed specialist is
/// noted and the synthesis goes on with the others (all failed: the plan
/// fails); the specialists run under a hedging deadline (min of the
/// policy's member timeout and hedge_latency_factor times the slowest
/// likely member's expected latency): past it, the synthesis goes on with
/// the notes at hand and the rest are cut. Any other failed step fails the
/// plan, except a critic or judge,
/// whose answer then stands. A revision that the budget left cannot cover
/// is skipped and noted.
class plan_flow {
 public:
  /// `task` is the task's own routing decision; `task_text` what it asks.
  plan_flow(const registry& reg, execution_plan plan, const decision& task,
            std::string task_text, plan_settings settings);

  [[nodiscard]] plan_next start();
  [[nodiscard]] plan_next finished(std::size_t step, step_result r);

  /// The specialists' deadline passed: with one answer at least, the
  /// synthesis starts and the specialists still running are cut; with none
  /// yet, the first success proceeds at once.
  [[nodiscard]] plan_next deadline_passed();

  /// A route-only plan: fits the plan to its budget and returns every
  /// step to route, none to run (a refusal when it cannot fit).
  [[nodiscard]] plan_next route_all();
  /// A step of a route-only plan was routed (to `model` when `has_model`).
  void routed(std::size_t step, bool has_model, std::uint16_t model);

  [[nodiscard]] const std::vector<step_outcome>& outcomes() const noexcept {
    return outcomes_;
  }
  [[nodiscard]] plan_kind kind() const noexcept {
    return plan_.kind;
  }
  /// Roles fit_to_budget dropped before the start.
  [[nodiscard]] const std::vector<std::string>& dropped() const noexcept {
    return dropped_;
  }
  [[nodiscard]] usd_nanos spent() const noexcept {
    return spent_;
  }
  [[nodiscard]] std::size_t running() const noexcept {
    return running_;
  }

  /// Output tokens a planner, critic or judge may write.
  static constexpr std::uint32_t note_tokens = 512;
  static constexpr std::uint32_t rating_tokens = 256;

 private:
  /// Cuts the plan to its budget and lays out its steps; a refusal when it
  /// cannot.
  std::optional<plan_next> fit();
  step_launch specialist(std::size_t i, std::size_t nth);
  std::size_t add_step(const plan_step& s, usd_nanos worst,
                       std::uint32_t revision);
  step_launch launch(std::size_t i, std::string instruction, std::string input);
  usd_nanos left() const noexcept;
  usd_nanos share(std::size_t i, std::size_t parallel) const noexcept;
  plan_next fail(error_code code, std::string message) const;
  plan_next succeed(std::size_t i) const;
  plan_next after_specialists();
  /// Cuts the specialists still running and starts the synthesis.
  plan_next cut_specialists();
  [[nodiscard]] bool in_specialists() const noexcept;
  /// What a call takes (candidate::expected_latency_s: learned when there
  /// were samples) on the model a specialist leaving out `avoid` is likely
  /// routed to.
  [[nodiscard]] double
  likely_specialist_latency_s(const std::vector<std::uint16_t>& avoid) const;
  plan_next synthesis_step(std::string_view previous, std::string_view critique);
  plan_next rate(std::size_t answer, std::string_view role);
  plan_next after_rating(std::size_t rating, const step_result& r);
  std::vector<std::uint16_t> avoid_for(std::size_t nth) const;

  const registry* reg_;
  execution_plan plan_;
  decision task_;
  std::string task_text_;
  plan_settings settings_;
  std::vector<step_outcome> outcomes_;
  /// Each step's answer text, by outcome index.
  std::vector<std::string> texts_;
  /// Whether each step has ended (or was cut).
  std::vector<bool> finished_;
  /// Worst cases of the plan's steps by role, for later rounds.
  usd_nanos synthesis_worst_ = 0;
  usd_nanos critic_worst_ = 0;
  std::vector<std::string> dropped_;
  usd_nanos spent_ = 0;
  std::size_t running_ = 0;
  std::uint32_t revisions_ = 0;
  /// The step whose answer stands (the last synthesis, or the answer).
  std::size_t answer_ = 0;
  /// The specialists' deadline has passed.
  bool deadline_passed_ = false;
  /// Escalation: the model just stronger than the answer's.
  std::optional<std::uint16_t> stronger_;
};

} // namespace switchyard::engine
