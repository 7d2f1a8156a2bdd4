#include "switchyard/engine/statistics.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace switchyard::engine;

TEST_CASE("Student's t CDF matches tabulated values", "[statistics]") {
  // Two-sided 5% critical values: t(10) = 2.228, t(30) = 2.042.
  CHECK(student_t_cdf(2.228138852, 10) == Approx(0.975).margin(1e-6));
  CHECK(student_t_cdf(2.042272456, 30) == Approx(0.975).margin(1e-6));
  CHECK(student_t_cdf(0.0, 5) == Approx(0.5));
  CHECK(student_t_cdf(-1.0, 1) == Approx(0.25).margin(1e-9)); // Cauchy
  // Large df approaches the normal distribution.
  CHECK(student_t_cdf(1.959963985, 1e7) == Approx(0.975).margin(1e-6));
  CHECK(normal_cdf(1.959963985) == Approx(0.975).margin(1e-9));
}

TEST_CASE("tallies keep mean and unbiased variance", "[statistics]") {
  sample_tally t;
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0})
    t.add(x);
  CHECK(t.n == 8);
  CHECK(t.mean() == Approx(5.0));
  CHECK(t.variance() == Approx(32.0 / 7.0));
}

TEST_CASE("Welch's t-test on a textbook example", "[statistics]") {
  // Two samples of 0/1-ish scores with different spreads.
  sample_tally a, b;
  for (double x : {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6,
                   23.1, 19.6, 19.0, 21.7, 21.4})
    a.add(x);
  for (double x : {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2,
                   21.9, 22.1, 22.9, 20.5, 24.4})
    b.add(x);
  auto r = welch_t_test(a, b);
  // Reference (scipy.stats.ttest_ind(equal_var=False)): t = -2.46, p = 0.021.
  CHECK(r.statistic == Approx(-2.46).margin(0.01));
  CHECK(r.degrees_of_freedom == Approx(24.99).margin(0.05));
  CHECK(r.p_value == Approx(0.021).margin(0.001));
}

TEST_CASE("two-proportion z-test", "[statistics]") {
  sample_tally a, b;
  for (int i = 0; i < 1000; ++i) {
    a.add(i < 550 ? 1.0 : 0.0); // 55%
    b.add(i < 500 ? 1.0 : 0.0); // 50%
  }
  auto r = two_proportion_z_test(a, b);
  // pooled p = 0.525; se = sqrt(.525*.475*(2/1000)) = 0.02233; z = 2.239.
  CHECK(r.statistic == Approx(2.239).margin(0.001));
  CHECK(r.p_value == Approx(0.0252).margin(0.0005));
  // No spread at all: equal means say nothing, different ones everything.
  sample_tally ones, zeros;
  for (int i = 0; i < 10; ++i) {
    ones.add(1.0);
    zeros.add(0.0);
  }
  CHECK(welch_t_test(ones, ones).p_value == 1.0);
  CHECK(welch_t_test(ones, zeros).p_value == 0.0);
}
