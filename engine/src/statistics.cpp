#include "switchyard/engine/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace switchyard::engine {

double sample_tally::variance() const noexcept {
  if (n < 2)
    return 0.0;
  auto count = static_cast<double>(n);
  auto m = sum / count;
  // Clamped: rounding can push a near-zero variance below zero.
  return std::max(0.0, (sum_squares - count * m * m) / (count - 1.0));
}

double normal_cdf(double z) noexcept {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

namespace {

/// The continued fraction of the incomplete beta function, valid for
/// x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double x, double a, double b) noexcept {
  constexpr int max_iterations = 300;
  constexpr double epsilon = 1e-15;
  constexpr double tiny = 1e-300;
  double qab = a + b;
  double qap = a + 1.0;
  double qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::abs(d) < tiny)
    d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= max_iterations; ++m) {
    double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::abs(d) < tiny)
      d = tiny;
    c = 1.0 + aa / c;
    if (std::abs(c) < tiny)
      c = tiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::abs(d) < tiny)
      d = tiny;
    c = 1.0 + aa / c;
    if (std::abs(c) < tiny)
      c = tiny;
    d = 1.0 / d;
    double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1.0) < epsilon)
      break;
  }
  return h;
}

} // namespace

double incomplete_beta(double x, double a, double b) noexcept {
  if (x <= 0.0)
    return 0.0;
  if (x >= 1.0)
    return 1.0;
  double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b)
                     + a * std::log(x) + b * std::log1p(-x);
  double front = std::exp(log_front);
  if (x < (a + 1.0) / (a + b + 2.0))
    return front * beta_continued_fraction(x, a, b) / a;
  return 1.0 - front * beta_continued_fraction(1.0 - x, b, a) / b;
}

double student_t_cdf(double t, double df) noexcept {
  if (!(df > 0.0))
    return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(t))
    return t > 0 ? 1.0 : 0.0;
  double x = df / (df + t * t);
  double tail = 0.5 * incomplete_beta(x, df / 2.0, 0.5);
  return t > 0 ? 1.0 - tail : tail;
}

namespace {

/// Fills statistic and p-value for a difference over its standard error;
/// a zero standard error means the samples have no spread at all.
void finish(mean_comparison& r, bool use_t) noexcept {
  if (r.standard_error <= 0.0) {
    r.statistic = r.difference == 0.0
                    ? 0.0
                    : std::copysign(std::numeric_limits<double>::infinity(),
                                    r.difference);
    r.p_value = r.difference == 0.0 ? 1.0 : 0.0;
    return;
  }
  r.statistic = r.difference / r.standard_error;
  double upper = use_t ? student_t_cdf(-std::abs(r.statistic),
                                       r.degrees_of_freedom)
                       : normal_cdf(-std::abs(r.statistic));
  r.p_value = std::clamp(2.0 * upper, 0.0, 1.0);
}

} // namespace

mean_comparison welch_t_test(const sample_tally& a,
                             const sample_tally& b) noexcept {
  mean_comparison r;
  r.difference = a.mean() - b.mean();
  if (a.n < 2 || b.n < 2)
    return r; // p = 1: nothing can be said
  double va = a.variance() / static_cast<double>(a.n);
  double vb = b.variance() / static_cast<double>(b.n);
  r.standard_error = std::sqrt(va + vb);
  // Welch-Satterthwaite.
  double denominator = va * va / static_cast<double>(a.n - 1)
                       + vb * vb / static_cast<double>(b.n - 1);
  r.degrees_of_freedom = denominator > 0.0 ? (va + vb) * (va + vb) / denominator
                                           : static_cast<double>(a.n + b.n - 2);
  finish(r, true);
  return r;
}

mean_comparison two_proportion_z_test(const sample_tally& a,
                                      const sample_tally& b) noexcept {
  mean_comparison r;
  r.difference = a.mean() - b.mean();
  if (a.n == 0 || b.n == 0)
    return r;
  auto na = static_cast<double>(a.n);
  auto nb = static_cast<double>(b.n);
  double pooled = (a.sum + b.sum) / (na + nb);
  r.standard_error
    = std::sqrt(pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb));
  r.degrees_of_freedom = std::numeric_limits<double>::infinity();
  finish(r, false);
  return r;
}

} // namespace switchyard::engine
