#include "switchyard/telemetry/span_batches.hpp"

#include <algorithm>
#include <utility>

namespace switchyard::telemetry {

namespace {

/// A buffer past this size after a batch (spans with captured content can
/// be large) is given back rather than kept: a traced gateway's batches
/// take some 400 KB.
constexpr std::size_t max_kept_body = 4 * 1024 * 1024;

} // namespace

span_batches::span_batches(std::size_t capacity, std::size_t max_batch,
                           std::string head, std::string tail)
  : capacity_(std::max<std::size_t>(capacity, 1)),
    max_batch_(std::max<std::size_t>(max_batch, 1)),
    head_(std::move(head)),
    tail_(std::move(tail)),
    ring_((capacity_ + max_batch_ - 1) / max_batch_) {
}

std::size_t span_batches::push(std::string_view span_json) {
  if (full())
    return 0;
  if (count_ == 0 || ring_[(first_ + count_ - 1) % ring_.size()].spans
                       >= max_batch_) {
    // A full ring holds `capacity_` spans: `full()` above refused those.
    auto& fresh = ring_[(first_ + count_) % ring_.size()];
    fresh.body.assign(head_);
    fresh.spans = 0;
    ++count_;
  }
  auto& b = ring_[(first_ + count_ - 1) % ring_.size()];
  if (b.spans > 0)
    b.body.push_back(',');
  b.body.append(span_json);
  ++b.spans;
  ++size_;
  return b.spans;
}

std::size_t span_batches::take(std::string& text) {
  if (count_ == 0)
    return 0;
  auto& b = ring_[first_];
  text.swap(b.body);
  b.body.clear();
  if (b.body.capacity() > max_kept_body)
    std::string{}.swap(b.body);
  auto n = b.spans;
  b.spans = 0;
  --count_;
  size_ -= n;
  // When it was the only batch, the next one goes into the buffer just
  // exchanged, still warm in the cache.
  if (count_ > 0)
    first_ = (first_ + 1) % ring_.size();
  return n;
}

std::size_t span_batches::clear() noexcept {
  auto n = size_;
  for (auto& b : ring_) {
    b.body.clear();
    b.spans = 0;
  }
  first_ = 0;
  count_ = 0;
  size_ = 0;
  return n;
}

} // namespace switchyard::telemetry
