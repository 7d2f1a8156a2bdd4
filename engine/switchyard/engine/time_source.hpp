#pragma once

#include "switchyard/engine/clock.hpp"

#include <cstdint>

namespace switchyard::engine {

/// The one clock that policy and state read outside the actors' own timers
/// (budget days, decay, retention, timestamps, cluster heartbeats,
/// Retry-After dates, the dashboard's samples): wall time and monotonic
/// time, in the way of Envoy's TimeSource. The engine itself never reads
/// one; the process's is `switchyard::system_time()` (clock/), and tests
/// inject their own.
class time_source {
public:
  virtual ~time_source() = default;

  /// Wall-clock time in milliseconds since the Unix epoch.
  [[nodiscard]] virtual std::int64_t wall_ms() const = 0;

  /// Monotonic time, for durations.
  [[nodiscard]] virtual time_point monotonic() const = 0;
};

} // namespace switchyard::engine
