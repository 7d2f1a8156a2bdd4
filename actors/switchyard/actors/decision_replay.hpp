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

/// What replaying a logged decision found.
struct replay_report {
  std::uint64_t decision_id = 0;
  /// The configuration the decision was made under, and the one replayed.
  std::uint64_t logged_config_hash = 0;
  std::uint64_t replay_config_hash = 0;
  std::vector<round_replay> rounds;
  /// Why the rounds were not recomputed (the record keeps no prompt text
  /// and none was supplied); empty when they were.
  std::string not_recomputed;

  [[nodiscard]] bool config_differs() const noexcept {
    return logged_config_hash != replay_config_hash;
  }

  /// Every round came out the same.
  [[nodiscard]] bool identical() const noexcept {
    for (const auto& r : rounds)
      if (r.difference)
        return false;
    return !rounds.empty();
  }

  /// The first round that differs, if any.
  [[nodiscard]] const round_replay* first_divergence() const noexcept {
    for (const auto& r : rounds)
      if (r.difference)
        return &r;
    return nullptr;
  }
};

/// Recomputes every routing round of `rec` with the router over `reg`, from
/// the task, each round's context and the inputs it read, exactly as the
/// classifier and scorer actors computed them, and compares each result
/// with the logged decision.
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
/// leaves the record as it is, when it cannot (no prompt text kept, or a
/// round that recomputes differently: then the stored outcome stands).
bool restore_evidence(decision_record& rec, const engine::registry& reg,
                      const engine::keyword_classifier& classifier);

} // namespace switchyard::actors
