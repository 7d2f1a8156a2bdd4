#pragma once

#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/storage_records.hpp"
#include "switchyard/storage/column.hpp"
#include "switchyard/storage/spend_rollup.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::storage {

/// Writes to apply together, atomically, in one store::write. Encodes as it
/// goes; holds no RocksDB type.
class store_batch {
public:
  struct operation {
    column family = column::meta;
    std::string key;
    std::string value;
    /// Merged into what is there (RocksDB's merge operator) instead of
    /// replacing it.
    bool merge = false;
    /// A content-addressed value (shared routing inputs): the store skips
    /// it when it wrote the same key recently.
    bool content_addressed = false;
  };

  void put_learned(const engine::learned_entry& e);

  /// `sequence` orders feedback for one decision (store::next_sequence).
  void put_feedback(const feedback_record& r, std::uint64_t sequence);

  /// The decision (in the compact encoding, keeping `prompts` of its
  /// text), its rounds' shared inputs, and (for an executed one) what it
  /// adds to its minute's and hour's spend rollups.
  void put_decision(const decision_record& r,
                    prompt_retention prompts = prompt_retention::full);

  /// What an executed decision adds to its minute's and hour's spend
  /// rollups (nothing for a route-only one); put_decision calls it. The
  /// decisions of one batch add up in memory: one merge per bucket and
  /// batch, not one per decision.
  void add_spend(const decision_record& r);

  /// A spend rollup bucket's key and what this batch adds to it.
  struct spend_merge {
    std::string key;
    spend_rollup rollup;
  };

  void put_ledger(const ledger_entry& e);

  void put_experiment(const experiment_state& s);

  void put_registry(const engine::registry& reg);
  /// The success predictor's state (success_predictor::save; versioned by
  /// its own header).
  void put_predictor(std::string bytes);
  /// The prompt model's history (prompt_history::save; versioned by its own
  /// header).
  void put_prompt_history(std::string bytes);

  [[nodiscard]] bool empty() const noexcept {
    return operations_.empty() && spend_.empty();
  }

  /// Writes in the batch, each rollup bucket counted once.
  [[nodiscard]] std::size_t size() const noexcept {
    return operations_.size() + spend_.size();
  }

  /// Whether any write touches `c`.
  [[nodiscard]] bool touches(column c) const noexcept {
    return (columns_ & (1u << static_cast<unsigned>(c))) != 0;
  }

  /// Every write but the spend rollups' merges.
  [[nodiscard]] const std::vector<operation>& operations() const noexcept {
    return operations_;
  }

  /// The spend rollups' merges (into column::spend), one per bucket.
  [[nodiscard]] const std::vector<spend_merge>& spend_merges() const noexcept {
    return spend_;
  }

  void clear() noexcept {
    operations_.clear();
    spend_.clear();
    columns_ = 0;
  }

private:
  void add(column c, std::string key, std::string value, bool merge = false,
           bool content_addressed = false);

  std::vector<operation> operations_;
  std::vector<spend_merge> spend_;
  /// One bit per column written.
  unsigned columns_ = 0;
};

} // namespace switchyard::storage
