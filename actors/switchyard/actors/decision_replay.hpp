#pragma once

#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/decision_diff.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/storage_records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::actors {

/// One routing round recomputed.
struct round_replay {
  engine::decision recomputed;
  /// None when the recomputed decision is identical to the logged one.
  std::optional<engine::decision_difference> difference;
  /// The log held the round's inputs (learned cells, breakers, budget);
  /// without them the replay cannot be exact.
  bool inputs_recorded = false;
};

/// The first of `rounds` that differs, if any.
[[nodiscard]] inline const round_replay*
first_divergence(const std::vector<round_replay>& rounds) noexcept {
  for (const auto& r : rounds)
    if (r.difference)
      return &r;
  return nullptr;
}

/// One step of a plan recomputed: each of its routing rounds, routed as the
/// coordinator routed the step (plan_step_spec).
struct step_replay {
  std::string role;
  std::uint32_t revision = 0;
  std::vector<round_replay> rounds;
  /// The log does not keep the step's input (a critic's or a judge's holds
  /// the answer it rates), which the classifier reads: the step's rounds
  /// were recomputed from its logged classification.
  bool classification_logged = false;

  /// Every round came out the same (a step that was not routed has none).
  [[nodiscard]] bool identical() const noexcept {
    return first_divergence(rounds) == nullptr;
  }
};

/// Where a replay first differs.
struct replay_divergence {
  /// The step (an index into replay_report::steps); none for the task's
  /// own rounds.
  std::optional<std::size_t> step;
  /// The round's index in its list.
  std::size_t round = 0;
  const round_replay* replayed = nullptr;
};

/// What replaying a logged decision found.
struct replay_report {
  std::uint64_t decision_id = 0;
  /// The configuration the decision was made under, and the one replayed.
  std::uint64_t logged_config_hash = 0;
  std::uint64_t replay_config_hash = 0;
  /// The task's own rounds (for a plan, the routing that chose it).
  std::vector<round_replay> rounds;
  /// A plan's steps, in the record's order; empty for a single call.
  std::vector<step_replay> steps;
  /// Why the rounds were not recomputed (the record keeps no prompt text
  /// and none was supplied); empty when they were.
  std::string not_recomputed;

  [[nodiscard]] bool config_differs() const noexcept {
    return logged_config_hash != replay_config_hash;
  }

  /// The task's own rounds came out the same.
  [[nodiscard]] bool rounds_identical() const noexcept {
    return !rounds.empty() && switchyard::actors::first_divergence(rounds)
                                == nullptr;
  }

  /// Every round came out the same: the task's own and every step's.
  [[nodiscard]] bool identical() const noexcept {
    if (!rounds_identical())
      return false;
    for (const auto& s : steps)
      if (!s.identical())
        return false;
    return true;
  }

  /// The first of the task's own rounds that differs, if any (a step's
  /// difference is in divergence()).
  [[nodiscard]] const round_replay* first_divergence() const noexcept {
    return switchyard::actors::first_divergence(rounds);
  }

  /// The first round that differs, the task's own rounds first, then each
  /// step's in order; none when every round came out the same.
  [[nodiscard]] std::optional<replay_divergence> divergence() const noexcept {
    for (std::size_t i = 0; i < rounds.size(); ++i)
      if (rounds[i].difference)
        return replay_divergence{std::nullopt, i, &rounds[i]};
    for (std::size_t s = 0; s < steps.size(); ++s)
      for (std::size_t i = 0; i < steps[s].rounds.size(); ++i)
        if (steps[s].rounds[i].difference)
          return replay_divergence{s, i, &steps[s].rounds[i]};
    return std::nullopt;
  }

  /// Every round, the task's and every step's, read recorded inputs.
  [[nodiscard]] bool inputs_recorded() const noexcept {
    for (const auto& r : rounds)
      if (!r.inputs_recorded)
        return false;
    for (const auto& s : steps)
      for (const auto& r : s.rounds)
        if (!r.inputs_recorded)
          return false;
    return true;
  }
};

/// Recomputes every routing round of `rec` with the router over `reg`, from
/// the task, each round's context and the inputs it read, exactly as the
/// classifier and scorer actors computed them, and compares each result
/// with the logged decision.
///
/// A plan's steps are recomputed too, each as the task plan_step_spec()
/// made of it: the task's type (as its first round classified it), the
/// step's tier, the task's text (a final step also the conversation's
/// fields and limits), and the forced model for an escalation. What a
/// step's requirement was made of besides that (its instruction, what it
/// read of the steps before it, its share of the plan's budget) is not in
/// the log, its requirement is: the step's input tokens, output limit and
/// budget cap are taken as logged, and the rest of the decision (the
/// filters, the scores, the choice) recomputed from them.
///
/// A record written with `storage.prompts: hash` or `none` holds no text to
/// classify: replay needs the caller to supply it (`prompt`, checked
/// against the stored hash when there is one) and otherwise says why it
/// recomputed nothing. A compact record stores no evidence (candidates,
/// filtered models, derived bounds): the comparison covers what it stores.
[[nodiscard]] replay_report
replay_decision(const decision_record& rec, const engine::registry& reg,
                const engine::keyword_classifier& classifier,
                const std::string* prompt = nullptr);

/// Fills in each round's evidence for a compact record (see
/// decision_record::evidence_stored) by recomputing it from the stored
/// inputs over `reg`, the registry it was made under. Returns false, and
/// leaves the task's rounds as they are, when it cannot (no prompt text
/// kept, or a round that recomputes differently: then the stored outcome
/// stands). A plan's step gets its evidence back on its own terms: when
/// every one of its rounds recomputes the same (has_evidence()).
bool restore_evidence(decision_record& rec, const engine::registry& reg,
                      const engine::keyword_classifier& classifier);

/// Whether `step` of `rec` holds its rounds' evidence: stored in the
/// record, or restored by restore_evidence().
[[nodiscard]] bool has_evidence(const decision_record& rec,
                                const plan_step_record& step) noexcept;

} // namespace switchyard::actors
