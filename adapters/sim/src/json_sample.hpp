#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::sim::detail {

/// A JSON value that a JSON schema (`schema`, JSON text) accepts, as far as
/// a small generator can: objects get their required properties (all
/// listed ones when none are required), arrays `minItems` items (at least
/// one), strings a short word (or a value of a common `format`), numbers
/// and integers a value within `minimum`/`maximum`, `enum` and `const` their
/// first value; `$ref` to the same document, `anyOf`/`oneOf`/`allOf`
/// (the first branch) and `type` lists are followed. Type names are read
/// in any case, as Gemini writes them ("OBJECT"). Deterministic in `seed`.
/// An empty or unreadable schema gives `{"answer": "<words>"}`.
[[nodiscard]] std::string sample_json(std::string_view schema,
                                      std::uint64_t seed);

/// Arguments for a call to a tool whose parameters are `schema`: a JSON
/// object always ("{}" when the schema describes no object).
[[nodiscard]] std::string sample_arguments(std::string_view schema,
                                           std::uint64_t seed);

} // namespace switchyard::sim::detail
