#pragma once

#include "switchyard/engine/time_source.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace switchyard {

/// A clock that moves only when told: for tests and simulations. Readable
/// from any thread.
class manual_time final : public engine::time_source {
 public:
  explicit manual_time(std::int64_t wall_ms = 0) : wall_ms_(wall_ms) {
    // Monotonic time starts at the epoch of steady_clock.
  }

  std::int64_t wall_ms() const override {
    return wall_ms_.load(std::memory_order_acquire);
  }

  engine::time_point monotonic() const override {
    return engine::time_point{
      std::chrono::milliseconds{mono_ms_.load(std::memory_order_acquire)}};
  }

  /// Moves both clocks forward by `d`.
  void advance(std::chrono::milliseconds d) {
    wall_ms_.fetch_add(d.count(), std::memory_order_acq_rel);
    mono_ms_.fetch_add(d.count(), std::memory_order_acq_rel);
  }

  /// Sets the wall clock (it may jump either way; monotonic time does not).
  void set_wall_ms(std::int64_t ms) {
    wall_ms_.store(ms, std::memory_order_release);
  }

 private:
  std::atomic<std::int64_t> wall_ms_;
  std::atomic<std::int64_t> mono_ms_{0};
};

} // namespace switchyard
