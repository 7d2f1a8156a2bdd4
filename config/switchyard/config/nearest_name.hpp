#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace switchyard::config {

/// Levenshtein distance between `a` and `b`, ignoring ASCII case.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a plausible typo: at most 3 edits and at most half of `word`'s
/// length (so that `id` does not suggest `kind`). Ties go to the earlier
/// candidate.
[[nodiscard]] std::optional<std::string_view>
nearest_name(std::string_view word,
             std::span<const std::string_view> candidates);

/// Same, over owned strings (e.g. the ids defined in a file).
[[nodiscard]] std::optional<std::string_view>
nearest_name(std::string_view word, std::span<const std::string> candidates);

/// Joins `names` with ", " for messages listing what is allowed.
[[nodiscard]] std::string join_names(std::span<const std::string_view> names);

/// Same, over owned strings.
[[nodiscard]] std::string join_names(std::span<const std::string> names);

} // namespace switchyard::config
