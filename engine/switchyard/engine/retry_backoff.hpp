#pragma once

#include "switchyard/engine/registry.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace switchyard::engine {

/// How long to wait before retry number `attempt` (1 for the first retry),
/// or none when the call should fail over instead: retries are used up, or
/// the provider's Retry-After exceeds what we honour.
/// The delay is `initial_backoff * 2^(attempt-1)`, capped at `max_backoff`,
/// with +-`jitter` drawn deterministically from `seed`; a Retry-After wins
/// when it is longer.
[[nodiscard]] std::optional<std::chrono::milliseconds>
retry_delay(const retry_config& cfg, std::uint32_t attempt, std::uint64_t seed,
            std::optional<std::chrono::milliseconds> retry_after
            = std::nullopt) noexcept;

/// SplitMix64: a small, well-mixed deterministic generator step.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

} // namespace switchyard::engine
