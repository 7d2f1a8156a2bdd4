#pragma once

#include <cstdint>

namespace switchyard::engine {

/// Running sums of one sample: count, sum and sum of squares. Tallies merge
/// by addition, so they persist and replicate as plain numbers.
struct sample_tally {
  std::uint64_t n = 0;
  double sum = 0.0;
  double sum_squares = 0.0;

  void add(double x) noexcept {
    ++n;
    sum += x;
    sum_squares += x * x;
  }

  [[nodiscard]] double mean() const noexcept {
    return n == 0 ? 0.0 : sum / static_cast<double>(n);
  }

  /// Unbiased sample variance; 0 below two samples.
  [[nodiscard]] double variance() const noexcept;
};

/// Standard normal CDF.
[[nodiscard]] double normal_cdf(double z) noexcept;

/// Student's t CDF with `df` degrees of freedom (df > 0), through the
/// regularized incomplete beta function.
[[nodiscard]] double student_t_cdf(double t, double df) noexcept;

/// Regularized incomplete beta I_x(a, b), by Lentz's continued fraction
/// (Numerical Recipes, 3rd ed., 6.4).
[[nodiscard]] double incomplete_beta(double x, double a, double b) noexcept;

/// The outcome of comparing the means of two samples.
struct mean_comparison {
  /// mean(a) - mean(b).
  double difference = 0.0;
  double standard_error = 0.0;
  /// The test statistic (t or z).
  double statistic = 0.0;
  double degrees_of_freedom = 0.0;
  /// Two-sided.
  double p_value = 1.0;
};

/// Welch's unequal-variance t-test. Needs two samples per side; with zero
/// variance on both sides, equal means give p = 1 and different ones p = 0.
[[nodiscard]] mean_comparison welch_t_test(const sample_tally& a,
                                           const sample_tally& b) noexcept;

/// Two-proportion z-test with the pooled proportion; each tally holds 0/1
/// observations.
[[nodiscard]] mean_comparison two_proportion_z_test(const sample_tally& a,
                                                    const sample_tally& b) noexcept;

} // namespace switchyard::engine
