#pragma once

#include "switchyard/engine/estimate.hpp"
#include "switchyard/engine/provider_call.hpp"

#include <cstdint>

namespace switchyard::engine {

/// The tokens an upstream bills for a call that was abandoned in flight (its
/// client went away, or an ensemble cancelled it), as far as this node can
/// tell: the whole input, which the upstream has read once it had the
/// request, and the output streamed so far at ~4 bytes a token (0 for a
/// call that was not streamed: nothing says how far it got). Charging it
/// keeps a budget a hard limit: a client cannot read most of a stream and
/// disconnect before the end to spend nothing.
[[nodiscard]] token_estimate
abandoned_call_tokens(const call_request& req,
                      std::uint64_t streamed_bytes) noexcept;

} // namespace switchyard::engine
