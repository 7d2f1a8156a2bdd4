#pragma once

#include "switchyard/config/config_error.hpp"
#include "switchyard/config/default_registry_yaml.hpp"
#include "switchyard/config/env_lookup.hpp"
#include "switchyard/config/registry_load_result.hpp"
#include "switchyard/engine/registry.hpp"

#include <caf/expected.hpp>
#include <string>
#include <string_view>

namespace switchyard::config {

/// What errors about the embedded registry show as the file.
inline constexpr std::string_view default_registry_name
  = "<built-in models.yaml>";

/// Parses and validates a model registry (see `config/models.yaml` for the
/// schema). `file_name` is what errors show as the file. Collects as many
/// errors as it can find rather than stopping at the first. Never throws.
///
/// On success, `provider_index`, `local` and the task preferences are
/// resolved, and `config_hash` is the FNV-1a hash of `yaml_text` after
/// `${...}` interpolation.
[[nodiscard]] registry_load_result parse_registry(std::string_view yaml_text,
                                                  std::string_view file_name,
                                                  const env_lookup& env);

/// Reads and parses the file at `path`. A file that cannot be read gives one
/// error naming the path.
[[nodiscard]] registry_load_result load_registry_file(const std::string& path,
                                                      const env_lookup& env);

/// Loads the registry at `path`, or the built-in one when `path` is empty,
/// interpolating from the process environment. The error is
/// `error_code::invalid_config` with every message, one per line, as its
/// `std::string` context.
[[nodiscard]] caf::expected<engine::registry>
load_registry(const std::string& path);

/// The built-in registry, interpolated from the process environment. Aborts
/// with the errors on stderr if it does not load: the embedded file is
/// checked by the tests, so that is a build bug or a bad `*_BASE_URL`.
[[nodiscard]] engine::registry default_registry();

} // namespace switchyard::config
