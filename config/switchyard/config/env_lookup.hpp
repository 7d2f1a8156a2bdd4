#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::config {

/// Looks up an environment variable by name; `nullopt` when it is unset.
/// Loaders take one of these instead of reading the process environment so
/// that tests can inject their own.
using env_lookup
  = std::function<std::optional<std::string>(std::string_view name)>;

/// Reads the process environment (`std::getenv`).
[[nodiscard]] env_lookup process_env();

} // namespace switchyard::config
