#pragma once

#include "switchyard/engine/registry.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace switchyard::engine {

/// One ensemble member's answer.
struct ensemble_answer {
  std::uint16_t model = 0;
  bool ok = false;
  std::string_view text;
  /// The member's predicted quality for this task, 0-1.
  double quality = 0.0;
  /// 0 for the first answer to arrive.
  std::uint32_t arrival = 0;
};

struct consensus_result {
  /// Index into the answers; none when no member succeeded.
  std::optional<std::size_t> winner;
  /// Share of the total weight behind the winning answer, 0-1.
  double agreement = 0.0;
  /// The judge's verdict could not be used and quality_weighted decided.
  bool judge_fallback = false;
};

/// Applies a consensus strategy.
/// - judge: the judge's pick (`judge_pick`, from parse_judge_verdict); when
///   missing or pointing at a failed answer, quality_weighted decides.
/// - quality_weighted: answers that agree (after normalising case, spacing
///   and trailing punctuation) pool their members' quality; the heaviest wins.
/// - voting: the answer most members gave; ties go to the higher quality.
/// - first_success: the first successful answer to arrive.
/// Remaining ties go to the earlier arrival.
[[nodiscard]] consensus_result
reach_consensus(consensus_strategy strategy,
                std::span<const ensemble_answer> answers,
                std::optional<std::size_t> judge_pick = std::nullopt);

/// The prompt that asks a judge to pick the best answer, numbered from 1.
[[nodiscard]] std::string
build_judge_prompt(std::string_view task,
                   std::span<const ensemble_answer> answers);

/// Reads the judge's answer to build_judge_prompt: the first "ANSWER <n>"
/// (case-insensitive), else the first standalone number in 1..count.
/// Returns a 0-based index.
[[nodiscard]] std::optional<std::size_t>
parse_judge_verdict(std::string_view verdict, std::size_t count);

/// Lower-cases, collapses whitespace and drops trailing punctuation so that
/// "Paris." and "paris" count as the same answer.
[[nodiscard]] std::string normalize_answer(std::string_view text);

} // namespace switchyard::engine
