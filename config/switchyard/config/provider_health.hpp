#pragma once

#include "switchyard/config/env_lookup.hpp"
#include "switchyard/config/map_entry.hpp"
#include "switchyard/config/yaml_reader.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::config {

/// A provider's `health:` settings in the registry: whether its models
/// endpoint is probed, and how often and patiently. Unset values take the
/// gateway's defaults (`serve --probe-interval`, 2 s).
struct provider_health {
  bool probe = true;
  std::optional<double> interval_s;
  std::optional<double> timeout_s;
};

/// Reads one provider's `health:` mapping (`probe`, `interval_s`,
/// `timeout_s`), reporting problems through `reader` with file:line. The
/// registry parser validates with it; read_provider_health reads with it.
provider_health parse_provider_health(yaml_reader& reader,
                                      const map_entry& entry);

/// Every provider's `health:` settings from a registry text that
/// parse_registry accepted, by provider id (providers without the key are
/// absent).
[[nodiscard]] std::map<std::string, provider_health>
read_provider_health(std::string_view yaml_text, const env_lookup& env);

} // namespace switchyard::config
