#pragma once

#include "switchyard/engine/registry.hpp"

#include <cstdint>
#include <string>

namespace switchyard::bench {

struct engine_bench_result {
  std::uint64_t decisions = 0;
  double seconds = 0.0;
  double decisions_per_second = 0.0;
  /// Per-decision latency from a separate, individually timed phase.
  double p50_us = 0.0;
  double p90_us = 0.0;
  double p99_us = 0.0;
  double max_us = 0.0;
  std::size_t models = 0;
  std::size_t workload_tasks = 0;
};

/// Runs classify + estimate + filter + score + select over a fixed mix of
/// tasks on one thread: first a throughput phase of `seconds`, then a latency
/// phase timing each of `latency_samples` decisions.
engine_bench_result run_engine_bench(const engine::registry& reg, double seconds,
                                     std::uint64_t latency_samples);

std::string to_json(const engine_bench_result& r);

} // namespace switchyard::bench
