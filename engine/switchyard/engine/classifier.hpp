#pragma once

#include "switchyard/engine/task_type.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

/// What classification concluded, and which keyword rules led there.
struct classification {
  complexity_tier tier = complexity_tier::simple;
  /// 1-10.
  int score = 1;
  task_type type = task_type::general;
  bool tier_given = false;
  bool type_given = false;
  /// Indices into keyword_classifier::rules() of the rules that matched, in
  /// text order; at most `max_evidence`.
  static constexpr std::size_t max_evidence = 8;
  std::array<std::uint16_t, max_evidence> matched{};
  std::uint8_t matched_count = 0;
  std::uint32_t word_count = 0;
};

/// What the caller states; anything stated wins over what the text suggests.
struct classify_input {
  std::string_view text;
  std::optional<task_type> type;
  std::optional<complexity_tier> tier;
  std::optional<int> score;
  /// Hints from the rest of the request.
  bool needs_vision = false;
  std::uint32_t input_tokens = 0;
};

/// A keyword rule: a word or phrase (words separated by single spaces) and
/// what it signals. A trailing `*` on the last word matches words starting
/// with that stem ("vulnerab*"); a word never matches inside another word.
struct keyword_rule {
  enum class signal : std::uint8_t {
    task,     ///< adds `weight` to `type`
    simple,   ///< a greeting or a lookup ("say hello", "what is")
    moderate, ///< an ordinary piece of work ("write", "implement")
    complex,  ///< wide scope ("architecture", "distributed")
    critical, ///< high stakes ("production", "security", "compliance")
  };
  std::string phrase;
  signal kind = signal::task;
  task_type type = task_type::general;
  std::uint8_t weight = 1;
};

/// Baseline keyword classifier. Deterministic and allocation-free per call:
/// words are matched against a table sorted at construction.
class keyword_classifier {
public:
  /// Builds the classifier over the default rule table.
  keyword_classifier();

  explicit keyword_classifier(std::vector<keyword_rule> rules);

  [[nodiscard]] classification classify(const classify_input& in) const;

  [[nodiscard]] const std::vector<keyword_rule>& rules() const noexcept {
    return rules_;
  }

  /// The rule table the default constructor uses.
  [[nodiscard]] static std::vector<keyword_rule> default_rules();

  /// Texts longer than this many words are classified on their first words.
  static constexpr std::size_t max_scanned_words = 4096;

private:
  struct entry {
    std::string first;   ///< first word, without a trailing '*'
    bool stem = false;   ///< single-word rule ending in '*'
    std::uint16_t rule = 0;
    std::uint8_t words = 1;
  };

  std::vector<keyword_rule> rules_;
  /// Sorted by `first`.
  std::vector<entry> entries_;
  /// `entries_` by first word, open-addressed on its hash: the entries
  /// [lo, hi) share that word. Empty slots have hi == 0. Looking a word up
  /// costs a hash and one compare, where a binary search over the table
  /// cost eight string compares a word (perf: the classifier's top cost).
  struct word_slot {
    std::uint64_t hash = 0;
    std::uint32_t lo = 0;
    std::uint32_t hi = 0;
  };
  std::vector<word_slot> word_index_;
  /// False when two first words share a hash: then binary search.
  bool word_index_usable_ = true;
  /// Rules matching every word that starts with a stem.
  std::vector<entry> stems_;
  /// Split phrases, indexed like rules_.
  std::vector<std::vector<std::string>> phrase_words_;
};

} // namespace switchyard::engine
