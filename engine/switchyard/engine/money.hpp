#pragma once

#include <cmath>
#include <cstdint>

namespace switchyard::engine {

/// Money in billionths of a US dollar. Integer arithmetic keeps budget
/// reservations exact: a float cap drifts after millions of settlements.
/// int64 holds up to ~9.2 billion USD.
using usd_nanos = std::int64_t;

inline constexpr usd_nanos nanos_per_usd = 1'000'000'000;

/// Rounds up so that a reservation computed from an estimate never undershoots.
[[nodiscard]] inline usd_nanos usd_to_nanos_ceil(double usd) noexcept {
  return static_cast<usd_nanos>(std::ceil(usd * static_cast<double>(nanos_per_usd)));
}

[[nodiscard]] inline double nanos_to_usd(usd_nanos n) noexcept {
  return static_cast<double>(n) / static_cast<double>(nanos_per_usd);
}

} // namespace switchyard::engine
