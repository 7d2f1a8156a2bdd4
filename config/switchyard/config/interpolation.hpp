#pragma once

#include "switchyard/config/env_lookup.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace switchyard::config {

/// The result of expanding `${NAME}` and `${NAME:-default}` in one string.
///
/// `${NAME:-default}` takes the default when NAME is unset or empty, as in
/// POSIX sh. `$${` stands for a literal `${`. A `$` not followed by `{` is
/// kept as is. Problems are described by variable name only: a message never
/// contains the value of an environment variable.
struct interpolation {
  /// The expanded text. A reference that could not be expanded is kept
  /// verbatim, so `value` is always complete (useful for hashing).
  std::string value;
  /// Whether any `${...}` was replaced by the environment or a default.
  bool substituted = false;
  /// One message per reference that could not be expanded.
  std::vector<std::string> problems;
};

/// Expands every `${...}` reference in `text` using `env`.
[[nodiscard]] interpolation interpolate(std::string_view text,
                                        const env_lookup& env);

/// Whether `name` is a valid environment variable name: a letter or `_`,
/// then letters, digits or `_`.
[[nodiscard]] bool is_env_name(std::string_view name) noexcept;

} // namespace switchyard::config
