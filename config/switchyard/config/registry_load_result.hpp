#pragma once

#include "switchyard/config/config_error.hpp"
#include "switchyard/engine/registry.hpp"

#include <optional>
#include <vector>

namespace switchyard::config {

/// A registry, or every problem found while loading it. Exactly one of the
/// two is set: `registry` holds a value if and only if `errors` is empty.
struct registry_load_result {
  std::optional<engine::registry> registry;
  std::vector<config_error> errors;
};

} // namespace switchyard::config
