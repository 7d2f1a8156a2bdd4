#pragma once

#include <cstdint>

namespace switchyard::engine {

/// What the prompt model's estimate read for one decision (prompt_index):
/// the decision's evidence shows it, and the decision log keeps it.
struct prompt_evidence {
  static constexpr std::uint16_t no_cluster = 0xffff;
  /// The prompt's cluster, or no_cluster when the prompt model was off,
  /// empty, or the prompt shares no term with any centroid.
  std::uint16_t cluster = no_cluster;
  /// Neighbours with feedback the estimate read.
  std::uint16_t neighbours = 0;
  /// Their mean cosine similarity to the prompt.
  float mean_similarity = 0.0f;

  [[nodiscard]] bool used() const noexcept {
    return cluster != no_cluster || neighbours > 0;
  }

  friend bool operator==(const prompt_evidence&,
                         const prompt_evidence&) noexcept = default;
};

} // namespace switchyard::engine
