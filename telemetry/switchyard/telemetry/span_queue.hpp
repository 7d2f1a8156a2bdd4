#pragma once

#include "switchyard/telemetry/span.hpp"

#include <cstddef>
#include <vector>

namespace switchyard::telemetry {

/// A bounded FIFO of spans in a ring of slots allocated once: pushing
/// moves a span into a slot and allocates nothing. Not thread-safe (the
/// exporter guards it with its lock).
class span_queue {
public:
  /// `capacity` at least 1.
  explicit span_queue(std::size_t capacity);

  /// Moves `s` in; false (and `s` untouched) when full.
  [[nodiscard]] bool push(span&& s);

  /// Moves up to `max` spans from the front to the back of `out`; returns
  /// how many.
  std::size_t pop_into(std::vector<span>& out, std::size_t max);

  [[nodiscard]] std::size_t size() const noexcept {
    return size_;
  }

  [[nodiscard]] std::size_t capacity() const noexcept {
    return slots_.size();
  }

  [[nodiscard]] bool empty() const noexcept {
    return size_ == 0;
  }

  [[nodiscard]] bool full() const noexcept {
    return size_ == slots_.size();
  }

private:
  std::vector<span> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

} // namespace switchyard::telemetry
