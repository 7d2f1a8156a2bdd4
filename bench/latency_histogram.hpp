#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace switchyard::bench {

/// A high-resolution latency histogram in the style of HdrHistogram:
/// log-linear buckets, exact below 128 ns, then 128 buckets per power of
/// two, so any recorded value is reported within 1/128 (0.8%) of itself.
/// Values are nanoseconds, capped at 2^40 ns (about 18 minutes). Recording
/// is O(1) with no allocation; the bucket array is allocated once.
class latency_histogram {
 public:
  /// Sub-buckets per power of two, as bits: 2^7 = 128.
  static constexpr unsigned sub_bucket_bits = 7;
  static constexpr std::uint64_t max_value = std::uint64_t{1} << 40;

  latency_histogram();

  void record(std::uint64_t nanos) noexcept;
  void merge(const latency_histogram& other) noexcept;
  void clear() noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t min() const noexcept {
    return count_ == 0 ? 0 : min_;
  }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_;
  }

  /// The value at quantile `q` in [0, 1]: the highest value equivalent to
  /// the bucket holding the ceil(q * count)-th smallest value, never above
  /// the maximum recorded. 0 when empty.
  [[nodiscard]] std::uint64_t quantile(double q) const noexcept;

  /// Bucket of a value, and the range of values a bucket holds
  /// (`lowest` <= v <= `highest`): exposed for tests.
  [[nodiscard]] static std::size_t bucket_of(std::uint64_t nanos) noexcept;
  [[nodiscard]] static std::uint64_t lowest(std::size_t bucket) noexcept;
  [[nodiscard]] static std::uint64_t highest(std::size_t bucket) noexcept;

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
};

} // namespace switchyard::bench
