#pragma once

#include "switchyard/engine/prompt_model_params.hpp"
#include "switchyard/engine/prompt_terms.hpp"

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchyard::engine {

/// What one model's answers to one prompt scored, decayed to `as_of_s`.
struct prompt_outcome {
  std::uint16_t model = 0;
  /// Decayed number of outcomes.
  float weight = 0.0f;
  /// Decayed sum of scores: divide by `weight` for the mean.
  float score_sum = 0.0f;
  /// Decayed number of outcomes whose cost was known, and their sum.
  float cost_weight = 0.0f;
  float cost_sum_usd = 0.0f;
  double as_of_s = 0.0;
};

/// One remembered prompt: its terms (hashes, never text) and its outcomes,
/// by model.
struct prompt_history_entry {
  std::uint64_t key = 0;
  std::vector<prompt_term> terms;
  std::vector<prompt_outcome> outcomes;
};

/// Why `prompt_history::load` refused its input.
enum class prompt_history_load_error : std::uint8_t {
  none,
  bad_magic,
  unsupported_version,
  truncated,
  bad_value,
};

[[nodiscard]] std::string_view to_string(prompt_history_load_error e) noexcept;

/// The prompts the router has feedback on, and what each model scored on
/// them: the prompt model's training data. Capped (`max_prompts`, oldest
/// first out) and decayed; document frequencies are kept for the prompts it
/// holds. Deterministic: the same adds in the same order give the same state.
class prompt_history {
 public:
  explicit prompt_history(prompt_model_params params = {});

  /// One outcome (score 0-1, cost in USD; NaN when unknown) of `model` on
  /// the prompt with `terms`. Non-finite scores and empty prompts are
  /// ignored.
  void add(std::span<const prompt_term> terms, std::uint16_t model,
           double score, double cost_usd, double now_s);

  /// Entries from the oldest.
  [[nodiscard]] const std::deque<prompt_history_entry>& entries() const noexcept {
    return entries_;
  }

  [[nodiscard]] std::size_t size() const noexcept {
    return entries_.size();
  }

  /// Remembered prompts that contain `term`, counted in a fixed table of
  /// 2^frequency_bits buckets: terms that share a bucket add up, so a rare
  /// term's count may come out a little high. The table's size does not
  /// grow with the vocabulary, which a map of every word pair would.
  [[nodiscard]] std::uint32_t document_frequency(std::uint32_t term) const
    noexcept {
    return document_frequency_[frequency_bucket(term)];
  }

  static constexpr std::uint32_t frequency_bits = 20;

  [[nodiscard]] static constexpr std::uint32_t
  frequency_bucket(std::uint32_t term) noexcept {
    return term >> (32 - frequency_bits);
  }

  /// The whole table, by bucket (prompt_index reads it).
  [[nodiscard]] const std::vector<std::uint32_t>&
  frequency_table() const noexcept {
    return document_frequency_;
  }

  /// Bumped by every add and load: a snapshot built at another version is
  /// stale.
  [[nodiscard]] std::uint64_t version() const noexcept {
    return version_;
  }

  [[nodiscard]] const prompt_model_params& params() const noexcept {
    return params_;
  }

  /// Approximate heap bytes held (entries, terms and frequencies).
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

  // -- persistence ------------------------------------------------------------

  /// Appends the state: a magic, a version byte, the model ids (by index),
  /// then every entry from the oldest. Models are named by id so that the
  /// bytes survive a registry reorder.
  void save(std::span<const std::string> model_ids, std::string& out) const;

  /// Replaces the state with `bytes` from `save`. Outcomes of models not in
  /// `model_ids` are dropped; the cap applies. Leaves the state unchanged
  /// on an error.
  [[nodiscard]] prompt_history_load_error
  load(std::string_view bytes, std::span<const std::string> model_ids);

  static constexpr std::uint8_t format_version = 1;

 private:
  void forget_oldest();
  void count_terms(const prompt_history_entry& e, int delta);

  prompt_model_params params_;
  std::deque<prompt_history_entry> entries_;
  /// Entry key -> its sequence number; the entry is at
  /// `seq - first_seq_` in `entries_`.
  std::unordered_map<std::uint64_t, std::uint64_t> by_key_;
  std::uint64_t first_seq_ = 0;
  std::vector<std::uint32_t> document_frequency_;
  std::uint64_t version_ = 0;
};

} // namespace switchyard::engine
