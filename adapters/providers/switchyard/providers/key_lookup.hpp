#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::providers {

/// Reads an environment variable by name; `nullopt` when unset. Same shape
/// as `config::env_lookup`, so `config::process_env()` fits, and tests pass
/// their own.
using key_lookup
  = std::function<std::optional<std::string>(std::string_view name)>;

} // namespace switchyard::providers
