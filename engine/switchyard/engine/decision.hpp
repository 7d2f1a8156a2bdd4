#pragma once

#include "switchyard/engine/capabilities.hpp"
#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/estimate.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/engine/prompt_terms.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/routing_inputs.hpp"
#include "switchyard/engine/sparse_feature.hpp"

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace switchyard::engine {

// -- evidence ------------------------------------------------------------------

/// Why a model was not a candidate.
enum class filter_reason : std::uint8_t {
  disabled,
  experimental,
  excluded,          ///< already tried for this task
  breaker_open,
  escalated,         ///< local model after too many local failures
  missing_capability,
  context_too_small,
  over_latency,
  over_budget,
  budget_exhausted,  ///< no budget left: only local models remain
  below_quality,
  /// The provider's wire format cannot carry a field the request uses;
  /// `value` is the engine::request_field.
  cannot_express,
  /// The model or its provider cannot answer now: `value` is the
  /// engine::unavailability (no credentials, not served, ...).
  unavailable,
};

inline constexpr std::array<std::string_view, 13> filter_reason_names{
  "disabled",        "experimental",       "excluded",
  "breaker_open",    "escalated",          "missing_capability",
  "context_too_small", "over_latency",     "over_budget",
  "budget_exhausted", "below_quality",     "cannot_express",
  "unavailable"};

[[nodiscard]] constexpr std::string_view to_string(filter_reason r) noexcept {
  return filter_reason_names[static_cast<std::size_t>(r)];
}

struct filtered_model {
  std::uint16_t model = 0;
  filter_reason reason = filter_reason::disabled;
  /// The measured value and the limit it broke, in the reason's unit:
  /// tokens, seconds, USD or quality. Zero when not applicable.
  double value = 0.0;
  double limit = 0.0;
  capability_set missing;
};

/// Points per scoring factor; the maxima add up to 100.
struct factor_points {
  static constexpr double quality_max = 50.0;
  static constexpr double cost_max = 20.0;
  static constexpr double history_max = 15.0;
  static constexpr double learned_max = 10.0;
  static constexpr double preference_max = 5.0;
  static constexpr double diversity_max = 3.0;
  static constexpr double vendor_max = 2.0;

  double quality = 0.0;
  double cost = 0.0;
  double history = 0.0;
  double learned = 0.0;
  double preference = 0.0;
  double diversity = 0.0;
  double vendor = 0.0;

  [[nodiscard]] double total() const noexcept {
    return quality + cost + history + learned + preference + diversity + vendor;
  }
};

struct candidate {
  std::uint16_t model = 0;
  factor_points points;
  double total = 0.0;
  /// Prior blended with learned success for this task type.
  double predicted_quality = 0.0;
  /// Whether the predicted quality meets the requirement.
  bool capable = false;
  cost_range cost;
  double latency_s = 0.0;
  /// What a call takes by the learned state: the EMA of the model's
  /// latency for the task type, or latency_s when it saw none. Hedging
  /// deadlines read it. Recomputed, not logged.
  double expected_latency_s = 0.0;
  /// The expected cost in USD the `utility` selection weighed: learned
  /// (success_estimate::cost_usd) when there was one, else cost.expected.
  double predicted_cost_usd = 0.0;
};

// -- the decision --------------------------------------------------------------

/// Which rule chose the primary model.
enum class selection_rule : std::uint8_t {
  none,               ///< no model can take the task; see the notes
  forced,             ///< force_model
  budget_local,       ///< budget exhausted: forced to a local model
  local_first,        ///< simple task under prefer_local
  top_reasoning,      ///< complexity >= 7 reasoning: the strongest reasoner
  preferred,          ///< first capable model of the task type's list
  smallest_capable,   ///< cheapest model whose quality meets the requirement
  best_available,     ///< nothing met the tier's requirement: the best there is
  ensemble,           ///< parallel specialists (+ judge)
  gain_per_cost,      ///< best predicted quality per dollar at the price of quality
  agent_loop,         ///< the model that made the conversation's tool calls
  utility,            ///< best predicted success - learned cost / price
};

inline constexpr std::array<std::string_view, 12> selection_rule_names{
  "none",          "forced",    "budget_local",
  "local_first",   "top_reasoning", "preferred",
  "smallest_capable", "best_available", "ensemble",
  "gain_per_cost", "agent_loop", "utility"};

[[nodiscard]] constexpr std::string_view to_string(selection_rule r) noexcept {
  return selection_rule_names[static_cast<std::size_t>(r)];
}

/// Facts about the decision worth telling the caller, as bits.
enum class decision_note : std::uint16_t {
  budget_exhausted = 1u << 0,
  quality_relaxed = 1u << 1,   ///< nothing met the tier's requirement
  quality_unmet = 1u << 2,     ///< nothing met the caller's requirement
  ensemble_unaffordable = 1u << 3,
  forced_despite_filter = 1u << 4,
  unknown_forced_model = 1u << 5,
  escalated = 1u << 6,         ///< local failures sent it to the cloud
  no_candidates = 1u << 7,
  no_local_model = 1u << 8,    ///< budget exhausted and no local model
  ensemble_short = 1u << 9,    ///< fewer than 3 distinct providers
  /// An agent loop's model could not take this round (it failed, or was
  /// filtered): the conversation moved to another model.
  agent_loop_moved = 1u << 10,
  /// The forced model cannot take the request (a capability or a field its
  /// wire format cannot carry): refused, never sent without the field;
  /// `decision::model` names it though the rule is none.
  forced_cannot_express = 1u << 11,
  /// The forced model cannot answer now (no key for its provider, not
  /// served); `decision::model` names it though the rule is none.
  forced_unavailable = 1u << 12,
};

struct ensemble_plan {
  std::vector<std::uint16_t> members;
  /// Only for the judge strategy; valid when has_judge.
  bool has_judge = false;
  std::uint16_t judge = 0;
  consensus_strategy strategy = consensus_strategy::judge;
  /// Worst case for the whole ensemble, judge included.
  usd_nanos max_cost = 0;
  /// Successful answers after which the ensemble proceeds without the rest
  /// (ensemble_quorum); 0: all members.
  std::uint8_t quorum = 0;
  /// Milliseconds after its start at which the ensemble proceeds with the
  /// answers it has and cuts the rest (ensemble_deadline_ms); 0: none, as
  /// in records written before hedging.
  std::uint32_t deadline_ms = 0;
};

struct decision {
  classification cls;
  token_estimate tokens;
  double quality_required = 0.0;
  /// The most this task may cost: the smallest of the caller's budget, the
  /// policy's per-task maximum and what is left of the budget.
  usd_nanos budget_cap = 0;
  double latency_bound_s = 0.0;
  selection_rule rule = selection_rule::none;
  std::uint16_t notes = 0;
  /// Valid unless rule == none.
  std::uint16_t model = 0;
  std::vector<std::uint16_t> fallbacks;
  bool parallel = false;
  ensemble_plan ensemble;
  /// Every model that survived the filters, best score first.
  std::vector<candidate> candidates;
  std::vector<filtered_model> filtered_out;
  std::uint64_t config_hash = 0;
  /// What the decision read, when the caller recorded it (see
  /// record_inputs); the router itself leaves it empty.
  routing_inputs inputs;
  /// The prompt's success-predictor features, when the caller computed
  /// them (the runtime's scorer does, so that feedback can train the
  /// predictor); not part of the decision log.
  std::vector<sparse_feature> features;
  /// The prompt's terms, when the caller computed them (the scorer does
  /// while a prompt model runs), so that feedback can teach the prompt
  /// model; not part of the decision log.
  std::vector<prompt_term> prompt_terms;

  [[nodiscard]] bool has_model() const noexcept {
    return rule != selection_rule::none;
  }

  [[nodiscard]] bool has_note(decision_note n) const noexcept {
    return (notes & static_cast<std::uint16_t>(n)) != 0;
  }

  void add_note(decision_note n) noexcept {
    notes = static_cast<std::uint16_t>(notes | static_cast<std::uint16_t>(n));
  }

  [[nodiscard]] const candidate* find_candidate(std::uint16_t m) const noexcept {
    for (const auto& c : candidates)
      if (c.model == m)
        return &c;
    return nullptr;
  }

  /// Clears for reuse while keeping the vectors' capacity.
  void reset() noexcept;
};

} // namespace switchyard::engine
