#include "switchyard/telemetry/span_queue.hpp"

#include <algorithm>

namespace switchyard::telemetry {

span_queue::span_queue(std::size_t capacity)
  : slots_(std::max<std::size_t>(capacity, 1)) {
}

bool span_queue::push(span&& s) {
  if (full())
    return false;
  slots_[(head_ + size_) % slots_.size()] = std::move(s);
  ++size_;
  return true;
}

std::size_t span_queue::pop_into(std::vector<span>& out, std::size_t max) {
  auto n = std::min(max, size_);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::move(slots_[head_]));
    head_ = (head_ + 1) % slots_.size();
  }
  size_ -= n;
  if (size_ == 0)
    head_ = 0;
  return n;
}

} // namespace switchyard::telemetry
