#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace switchyard::bench {

namespace {

constexpr std::uint64_t sub_count = std::uint64_t{1} << latency_histogram::sub_bucket_bits;
constexpr std::uint64_t sub_mask = sub_count - 1;

} // namespace

latency_histogram::latency_histogram()
    : buckets_(bucket_of(max_value) + 1, 0) {}

std::size_t latency_histogram::bucket_of(std::uint64_t v) noexcept {
  v = std::min(v, max_value);
  if (v < sub_count)
    return static_cast<std::size_t>(v);
  // v's top sub_bucket_bits + 1 bits select the bucket within its octave.
  auto msb = static_cast<unsigned>(std::bit_width(v)) - 1;
  auto shift = msb - sub_bucket_bits;
  auto top = v >> shift; // in [sub_count, 2 * sub_count)
  return static_cast<std::size_t>((std::uint64_t{shift} + 1) * sub_count
                                  + (top - sub_count));
}

std::uint64_t latency_histogram::lowest(std::size_t bucket) noexcept {
  auto octave = bucket >> sub_bucket_bits;
  if (octave == 0)
    return bucket;
  auto shift = octave - 1;
  return ((bucket & sub_mask) + sub_count) << shift;
}

std::uint64_t latency_histogram::highest(std::size_t bucket) noexcept {
  auto octave = bucket >> sub_bucket_bits;
  if (octave == 0)
    return bucket;
  return lowest(bucket) + (std::uint64_t{1} << (octave - 1)) - 1;
}

void latency_histogram::record(std::uint64_t nanos) noexcept {
  ++buckets_[bucket_of(nanos)];
  if (count_ == 0 || nanos < min_)
    min_ = nanos;
  max_ = std::max(max_, nanos);
  sum_ += nanos;
  ++count_;
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
  if (other.count_ == 0)
    return;
  for (std::size_t i = 0; i < buckets_.size(); ++i)
    buckets_[i] += other.buckets_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
}

void latency_histogram::clear() noexcept {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = sum_ = min_ = max_ = 0;
}

std::uint64_t latency_histogram::quantile(double q) const noexcept {
  if (count_ == 0)
    return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank)
      return std::clamp(highest(i), min_, max_);
  }
  return max_;
}

} // namespace switchyard::bench
