#pragma once

#include <cstdint>
#include <string>

namespace switchyard::bench {

/// One mode (route only, or route + execute) of the runtime benchmark.
struct runtime_mode_result {
  std::string mode;
  /// Closed loop with `window` tasks in flight: the most it sustains.
  double max_tasks_per_second = 0.0;
  /// Open loop at `paced_rate` (half the maximum): latency from each task's
  /// submission to its callback...
  double paced_rate = 0.0;
  double achieved_rate = 0.0;
  double p50_us = 0.0;
  double p90_us = 0.0;
  double p99_us = 0.0;
  double max_us = 0.0;
  /// ...and from its intended submit time, which adds the load generator's
  /// own lateness (it shares the 2 cores).
  double intended_p50_us = 0.0;
  double intended_p99_us = 0.0;
  std::uint64_t errors = 0;
};

struct runtime_bench_result {
  unsigned threads = 0;
  std::string scheduler;
  /// Whether the runtime ran its success predictor (every prompt
  /// featurized; untrained here, as no feedback arrives).
  bool success_predictor = true;
  runtime_mode_result route;
  runtime_mode_result execute;
};

/// Runs the embedding API (the real actors on CAF's scheduler with
/// `threads` workers) against an in-process provider that answers at once.
/// `paced_rate` 0 paces at half the measured maximum. `work_stealing`
/// selects CAF's default scheduler instead of work sharing.
runtime_bench_result
run_runtime_bench(double seconds, unsigned threads, std::size_t window,
                  double paced_rate = 0.0, bool work_stealing = false,
                  bool success_predictor = true);

std::string to_json(const runtime_bench_result& r);

} // namespace switchyard::bench
