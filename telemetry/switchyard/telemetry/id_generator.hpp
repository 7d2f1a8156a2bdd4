#pragma once

#include "switchyard/telemetry/span_id.hpp"
#include "switchyard/telemetry/trace_id.hpp"

#include <cstdint>
#include <random>

namespace switchyard::telemetry {

/// Random trace and span ids from a seeded generator: deterministic for a
/// given seed (tests), never all zeros. Not thread-safe: one per thread
/// (see `thread_id_generator`).
class id_generator {
public:
  explicit id_generator(std::uint64_t seed) noexcept;

  /// Seeded from `seq` (the per-thread generator seeds from
  /// std::random_device this way).
  explicit id_generator(std::seed_seq& seq);

  /// 16 random bytes; the rightmost 7 are random, as W3C Trace Context
  /// Level 2 requires for its `random` flag.
  [[nodiscard]] telemetry::trace_id next_trace_id() noexcept;

  [[nodiscard]] telemetry::span_id next_span_id() noexcept;

private:
  std::mt19937_64 engine_;
};

/// This thread's generator, seeded from std::random_device on first use.
[[nodiscard]] id_generator& thread_id_generator();

} // namespace switchyard::telemetry
