#pragma once

#include "switchyard/engine/registry.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace switchyard::engine {

/// What an executor does with a call that arrives.
enum class admission : std::uint8_t {
  start, ///< a slot is free: the call goes out now
  queue, ///< every slot is busy and the wait queue has room
  refuse, ///< slots and queue are full: call_error::overloaded
};

/// Admits a call to `p` with `in_flight` calls running and `queued` waiting
/// (max_concurrency and max_queued of the provider). A retry of a call
/// already admitted is not asked: it keeps its place.
[[nodiscard]] constexpr admission
admit_call(const provider_spec& p, std::uint32_t in_flight,
           std::size_t queued) noexcept {
  if (in_flight < p.max_concurrency)
    return admission::start;
  if (queued < p.max_queued)
    return admission::queue;
  return admission::refuse;
}

/// The Retry-After of a refusal (call_error::overloaded): this node does
/// not know when a slot frees, and the HTTP server's own refusal of a
/// request body (server_busy) says 1 s as well.
inline constexpr std::chrono::milliseconds overloaded_retry_after{1'000};

} // namespace switchyard::engine
