#pragma once

#include "switchyard/engine/conversation.hpp"
#include "switchyard/engine/registry.hpp"

#include <optional>

namespace switchyard::engine {

/// Whether a provider's wire format can carry `field` at all (for example
/// `seed` in Anthropic's messages API: no). A model's capabilities are
/// checked apart from this (`required_capabilities`).
[[nodiscard]] bool wire_expresses(provider_kind kind,
                                  request_field field) noexcept;

/// The first field of `used` that a model of `kind` cannot be sent, or none.
[[nodiscard]] std::optional<request_field>
first_unexpressible(provider_kind kind, request_field_set used) noexcept;

/// The capabilities a request's fields need: tools for tool definitions,
/// calls and results; vision for images; json for a response format.
[[nodiscard]] capability_set
required_capabilities(request_field_set used) noexcept;

} // namespace switchyard::engine
