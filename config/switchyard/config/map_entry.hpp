#pragma once

#include "switchyard/config/scalar_value.hpp"

#include <string>
#include <yaml-cpp/yaml.h>

namespace switchyard::config {

/// One `key: value` pair of a YAML mapping, as `yaml_reader` hands it out.
struct map_entry {
  /// The key. Fixed-name keys are taken as written; keys that are data
  /// (provider ids) are interpolated like any other scalar.
  scalar_value key;
  YAML::Node value;
  /// Dotted path of this entry, e.g. `policy.breaker.window`.
  std::string field;
  /// 1-based line to report problems with the value at: the value's own
  /// line, or the key's when the value is empty (yaml-cpp marks an empty
  /// value at the start of the next token, often on a later line).
  int line = 0;
  /// 1-based line of the key: where a problem with the entry as a whole
  /// (a missing field inside a block mapping) reads best.
  int key_line = 0;
};

} // namespace switchyard::config
