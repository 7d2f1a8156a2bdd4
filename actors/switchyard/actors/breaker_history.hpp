#pragma once

#include "switchyard/engine/time_source.hpp"
#include "switchyard/messages/task_messages.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace switchyard::actors {

/// One state change of a provider's circuit breaker.
struct breaker_transition {
  /// Wall-clock time, ms since the Unix epoch.
  std::int64_t unix_ms = 0;
  std::uint16_t provider = 0;
  breaker_phase from = breaker_phase::closed;
  breaker_phase to = breaker_phase::closed;
};

/// The last `capacity` breaker transitions of every provider, oldest first:
/// written by the breaker actors (rarely: only on a change), read by the
/// runtime's callers. Thread-safe.
class breaker_history {
public:
  /// Transitions are stamped with `time`'s wall clock.
  explicit breaker_history(std::size_t capacity,
                           std::shared_ptr<const engine::time_source> time)
    : capacity_(capacity), time_(std::move(time)) {
  }

  void record(std::uint16_t provider, breaker_phase from, breaker_phase to) {
    breaker_transition t{now_ms(), provider, from, to};
    std::lock_guard<std::mutex> guard{mutex_};
    if (transitions_.size() == capacity_ && capacity_ > 0)
      transitions_.pop_front();
    if (capacity_ > 0)
      transitions_.push_back(t);
    ++total_;
  }

  [[nodiscard]] std::vector<breaker_transition> snapshot() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return {transitions_.begin(), transitions_.end()};
  }

  /// Every transition recorded, including those the ring dropped.
  [[nodiscard]] std::uint64_t total() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return total_;
  }

private:
  std::int64_t now_ms() const {
    return time_->wall_ms();
  }

  std::size_t capacity_;
  std::shared_ptr<const engine::time_source> time_;
  mutable std::mutex mutex_;
  std::deque<breaker_transition> transitions_;
  std::uint64_t total_ = 0;
};

} // namespace switchyard::actors
