#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchyard::engine {

/// The 12 task types of DESIGN.md plus general chat.
enum class task_type : std::uint8_t {
  code_generation,
  code_review,
  testing,
  refactoring,
  reasoning,
  planning,
  analysis,
  security_audit,
  documentation,
  tool_use,
  multimodal,
  long_context,
  general,
};

inline constexpr std::size_t task_type_count = 13;

inline constexpr std::array<std::string_view, task_type_count> task_type_names{
  "code_generation", "code_review",    "testing",       "refactoring",
  "reasoning",       "planning",       "analysis",      "security_audit",
  "documentation",   "tool_use",       "multimodal",    "long_context",
  "general",
};

[[nodiscard]] constexpr std::string_view to_string(task_type t) noexcept {
  return task_type_names[static_cast<std::size_t>(t)];
}

[[nodiscard]] constexpr std::optional<task_type>
parse_task_type(std::string_view s) noexcept {
  for (std::size_t i = 0; i < task_type_count; ++i)
    if (task_type_names[i] == s)
      return static_cast<task_type>(i);
  return std::nullopt;
}

/// Complexity tiers: simple = one small-model call, moderate = plan then
/// execute, complex = parallel specialists, critical = specialists + judge.
enum class complexity_tier : std::uint8_t { simple, moderate, complex, critical };

inline constexpr std::size_t complexity_tier_count = 4;

inline constexpr std::array<std::string_view, complexity_tier_count>
  complexity_tier_names{"simple", "moderate", "complex", "critical"};

[[nodiscard]] constexpr std::string_view to_string(complexity_tier t) noexcept {
  return complexity_tier_names[static_cast<std::size_t>(t)];
}

[[nodiscard]] constexpr std::optional<complexity_tier>
parse_complexity_tier(std::string_view s) noexcept {
  for (std::size_t i = 0; i < complexity_tier_count; ++i)
    if (complexity_tier_names[i] == s)
      return static_cast<complexity_tier>(i);
  return std::nullopt;
}

/// Maps a 1-10 complexity score onto its tier: 1-3 simple, 4-6 moderate,
/// 7-8 complex, 9-10 critical.
[[nodiscard]] constexpr complexity_tier tier_for_score(int score) noexcept {
  if (score <= 3)
    return complexity_tier::simple;
  if (score <= 6)
    return complexity_tier::moderate;
  if (score <= 8)
    return complexity_tier::complex;
  return complexity_tier::critical;
}

/// The score a caller-given tier stands for when no score is given.
[[nodiscard]] constexpr int representative_score(complexity_tier t) noexcept {
  constexpr std::array<int, complexity_tier_count> scores{2, 5, 7, 9};
  return scores[static_cast<std::size_t>(t)];
}

} // namespace switchyard::engine
