#include "switchyard/config/nearest_name.hpp"

#include <algorithm>
#include <vector>

namespace switchyard::config {

namespace {

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

template<class String>
std::optional<std::string_view>
nearest_impl(std::string_view word, std::span<const String> candidates) {
  // A typo is a few edits away; beyond half the word it is a different word.
  const auto limit
    = std::min<std::size_t>(3, std::max<std::size_t>(1, word.size() / 2));
  std::optional<std::string_view> best;
  auto best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    auto d = edit_distance(word, candidate);
    if (d < best_distance) {
      best = std::string_view{candidate};
      best_distance = d;
    }
  }
  return best;
}

template<class String>
std::string join_impl(std::span<const String> names) {
  std::string result;
  for (const auto& name : names) {
    if (!result.empty())
      result += ", ";
    result += name;
  }
  return result;
}

} // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Two rows of the classic dynamic program.
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      auto substitution = previous[j - 1]
                          + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      current[j]
        = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::optional<std::string_view>
nearest_name(std::string_view word,
             std::span<const std::string_view> candidates) {
  return nearest_impl(word, candidates);
}

std::optional<std::string_view>
nearest_name(std::string_view word, std::span<const std::string> candidates) {
  return nearest_impl(word, candidates);
}

std::string join_names(std::span<const std::string_view> names) {
  return join_impl(names);
}

std::string join_names(std::span<const std::string> names) {
  return join_impl(names);
}

} // namespace switchyard::config
