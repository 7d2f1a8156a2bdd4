#include "switchyard/engine/retry_backoff.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::engine;
using namespace std::chrono_literals;

TEST_CASE("backoff doubles from 500 ms to 5 s with +-20% jitter", "[retry]") {
  retry_config cfg;
  cfg.max_retries = 6;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    auto expected = {500.0, 1000.0, 2000.0, 4000.0, 5000.0, 5000.0};
    std::uint32_t attempt = 1;
    for (auto base : expected) {
      auto d = retry_delay(cfg, attempt++, seed);
      REQUIRE(d);
      auto ms = static_cast<double>(d->count());
      CHECK(ms >= base * 0.8 - 1);
      CHECK(ms <= base * 1.2 + 1);
    }
  }
}

TEST_CASE("jitter is deterministic per seed and varies across seeds",
          "[retry]") {
  retry_config cfg;
  CHECK(retry_delay(cfg, 1, 7) == retry_delay(cfg, 1, 7));
  bool differs = false;
  for (std::uint64_t s = 0; s < 20 && !differs; ++s)
    differs = retry_delay(cfg, 1, s) != retry_delay(cfg, 1, s + 1);
  CHECK(differs);
}

TEST_CASE("retries stop after max_retries", "[retry]") {
  retry_config cfg; // 2 retries
  CHECK(retry_delay(cfg, 1, 0));
  CHECK(retry_delay(cfg, 2, 0));
  CHECK_FALSE(retry_delay(cfg, 3, 0));
  CHECK_FALSE(retry_delay(cfg, 0, 0));
}

TEST_CASE("Retry-After is honoured up to 60 s", "[retry]") {
  retry_config cfg;
  auto d = retry_delay(cfg, 1, 0, 10s);
  REQUIRE(d);
  CHECK(*d == 10s);
  CHECK(retry_delay(cfg, 1, 0, 60s) == std::optional{std::chrono::milliseconds{60s}});
  CHECK_FALSE(retry_delay(cfg, 1, 0, 61s));
  // A short Retry-After never shortens our own backoff.
  auto short_ra = retry_delay(cfg, 2, 0, 1ms);
  REQUIRE(short_ra);
  CHECK(*short_ra >= 800ms);
}
