#pragma once

#include <chrono>
#include <cmath>

namespace switchyard::engine {

/// Weight left after `elapsed` with the given half-life: 2^(-elapsed/half_life).
/// Negative elapsed time (a clock that stepped back) counts as none.
[[nodiscard]] inline double decay_factor(double elapsed_s,
                                         double half_life_s) noexcept {
  if (elapsed_s <= 0.0 || half_life_s <= 0.0)
    return 1.0;
  return std::exp2(-elapsed_s / half_life_s);
}

/// One week, the default half-life of learned performance.
inline constexpr double default_half_life_s = 7.0 * 24.0 * 3600.0;

/// Exponential moving average; the first sample sets the value.
struct ema {
  double value = 0.0;
  bool initialized = false;

  void update(double sample, double alpha) noexcept {
    if (!initialized) {
      value = sample;
      initialized = true;
    } else {
      value += alpha * (sample - value);
    }
  }
};

/// A count that halves every half-life. Counts decayed to the same instant
/// merge by addition, which makes them commutative deltas between nodes.
struct decayed_count {
  double count = 0.0;
  /// Seconds on the caller's clock at which `count` was last decayed.
  double as_of_s = 0.0;

  [[nodiscard]] double value_at(double now_s, double half_life_s) const noexcept {
    return count * decay_factor(now_s - as_of_s, half_life_s);
  }

  void add(double weight, double now_s, double half_life_s) noexcept {
    count = value_at(now_s, half_life_s) + weight;
    as_of_s = now_s > as_of_s ? now_s : as_of_s;
  }
};

} // namespace switchyard::engine
