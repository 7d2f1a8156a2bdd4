#pragma once

#include <chrono>

namespace switchyard::engine {

/// The engine's notion of time. The engine never reads a clock: callers pass
/// `now` (an actor's `self->clock().now()`, or a test's simulated time).
using time_point = std::chrono::steady_clock::time_point;
using duration = std::chrono::steady_clock::duration;

} // namespace switchyard::engine
