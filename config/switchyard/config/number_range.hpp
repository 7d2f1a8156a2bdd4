#pragma once

#include <limits>
#include <string>

namespace switchyard::config {

/// The values a numeric field accepts, for checking and for messages
/// ("must be in (0, 1]").
struct number_range {
  double min = -std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  double max = std::numeric_limits<double>::infinity();
  bool max_exclusive = false;

  /// `[lo, +inf)`
  [[nodiscard]] static constexpr number_range at_least(double lo) noexcept {
    return {lo, false, std::numeric_limits<double>::infinity(), false};
  }

  /// `(lo, +inf)`
  [[nodiscard]] static constexpr number_range above(double lo) noexcept {
    return {lo, true, std::numeric_limits<double>::infinity(), false};
  }

  /// `[lo, hi]`
  [[nodiscard]] static constexpr number_range closed(double lo,
                                                     double hi) noexcept {
    return {lo, false, hi, false};
  }

  [[nodiscard]] constexpr bool contains(double x) const noexcept {
    return (min_exclusive ? x > min : x >= min)
           && (max_exclusive ? x < max : x <= max);
  }

  /// `>= 0`, `> 0` or `in [0, 1)`: completes "must be ...".
  [[nodiscard]] std::string describe() const;
};

} // namespace switchyard::config
