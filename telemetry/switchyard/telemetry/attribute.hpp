#pragma once

#include "switchyard/telemetry/attribute_key.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace switchyard::telemetry {

/// An attribute's value, with OTLP's `AnyValue` kinds that spans need:
/// `stringValue`, `boolValue`, `intValue` (64-bit), `doubleValue` and an
/// `arrayValue` of strings.
using attribute_value = std::variant<std::string, bool, std::int64_t, double,
                                     std::vector<std::string>>;

/// One key-value pair of a span or a resource. Keys follow the semantic
/// conventions (see genai_attributes.hpp, switchyard_attributes.hpp); each
/// distinct key is stored once per process (see attribute_key).
struct attribute {
  attribute_key key;
  attribute_value value;
};

} // namespace switchyard::telemetry
