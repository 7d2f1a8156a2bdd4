#pragma once

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
  /// `wall_clock_ms` empty: the system clock.
  explicit breaker_history(std::size_t capacity = 512,
                           std::function<std::int64_t()> wall_clock_ms = {})
    : capacity_(capacity), wall_clock_ms_(std::move(wall_clock_ms)) {
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
    if (wall_clock_ms_)
      return wall_clock_ms_();
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
      .count();
  }

  std::size_t capacity_;
  std::function<std::int64_t()> wall_clock_ms_;
  mutable std::mutex mutex_;
  std::deque<breaker_transition> transitions_;
  std::uint64_t total_ = 0;
};

} // namespace switchyard::actors
