// The load generator's histogram: pure code.
#include "latency_histogram.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using switchyard::bench::latency_histogram;

TEST_CASE("values below 128 ns are kept exactly", "[histogram]") {
  latency_histogram h;
  for (std::uint64_t v = 0; v < 128; ++v) {
    CHECK(latency_histogram::bucket_of(v) == v);
    CHECK(latency_histogram::lowest(v) == v);
    CHECK(latency_histogram::highest(v) == v);
  }
  h.record(5);
  h.record(7);
  CHECK(h.quantile(0.5) == 5);
  CHECK(h.quantile(1.0) == 7);
  CHECK(h.min() == 5);
  CHECK(h.max() == 7);
  CHECK(h.mean() == Approx(6.0));
}

TEST_CASE("buckets tile the range without gaps or overlaps", "[histogram]") {
  auto last = latency_histogram::bucket_of(latency_histogram::max_value);
  for (std::size_t b = 1; b <= last; ++b)
    REQUIRE(latency_histogram::lowest(b) == latency_histogram::highest(b - 1) + 1);
  std::mt19937_64 rng{42};
  std::uniform_int_distribution<std::uint64_t> any{0, latency_histogram::max_value};
  for (int i = 0; i < 100000; ++i) {
    auto v = any(rng);
    auto b = latency_histogram::bucket_of(v);
    REQUIRE(latency_histogram::lowest(b) <= v);
    REQUIRE(v <= latency_histogram::highest(b));
    // The bucket is at most 1/128 of its values wide.
    REQUIRE(static_cast<double>(latency_histogram::highest(b)
                                - latency_histogram::lowest(b))
            <= static_cast<double>(v) / 128.0 + 1.0);
  }
}

TEST_CASE("quantiles are within 1/128 of the exact ones", "[histogram]") {
  latency_histogram h;
  std::vector<std::uint64_t> values;
  std::mt19937_64 rng{7};
  std::lognormal_distribution<double> latency{11.0, 1.2}; // ~60 us median
  for (int i = 0; i < 200000; ++i) {
    auto v = static_cast<std::uint64_t>(latency(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    auto rank = static_cast<std::size_t>(std::ceil(q * values.size())) - 1;
    auto exact = static_cast<double>(values[rank]);
    auto got = static_cast<double>(h.quantile(q));
    INFO("q " << q << " exact " << exact << " got " << got);
    CHECK(got >= exact);
    CHECK(got <= exact * (1.0 + 1.0 / 128.0) + 1.0);
  }
  CHECK(h.quantile(1.0) == values.back());
  CHECK(h.quantile(0.0) >= values.front());
  CHECK(h.count() == values.size());
}

TEST_CASE("merging two histograms equals recording both", "[histogram]") {
  latency_histogram a;
  latency_histogram b;
  latency_histogram both;
  for (std::uint64_t v = 1000; v < 200000; v += 37) {
    (v % 3 == 0 ? a : b).record(v);
    both.record(v);
  }
  a.merge(b);
  CHECK(a.count() == both.count());
  CHECK(a.min() == both.min());
  CHECK(a.max() == both.max());
  for (double q : {0.1, 0.5, 0.99})
    CHECK(a.quantile(q) == both.quantile(q));
  a.clear();
  CHECK(a.count() == 0);
  CHECK(a.quantile(0.5) == 0);
}

TEST_CASE("values past the top are capped, not lost", "[histogram]") {
  latency_histogram h;
  h.record(latency_histogram::max_value * 4);
  CHECK(h.count() == 1);
  CHECK(h.quantile(0.5) == h.max());
}
