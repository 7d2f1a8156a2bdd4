#pragma once

#include "switchyard/engine/execution_plan.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::bench {

/// What `switchyard bench runtime` runs: the embedding API (the real actors
/// on CAF's scheduler) against an in-process provider that answers at once.
struct runtime_bench_options {
  /// Length of each closed-loop and each paced phase.
  double seconds = 3.0;
  unsigned threads = 2;
  /// Tasks in flight in the closed loop.
  std::size_t window = 2048;
  /// Tasks/s of the paced phase; 0 paces each mode (or plan) at half its
  /// measured maximum.
  double paced_rate = 0.0;
  /// CAF's work stealing (the runtime's tuned polling) or work sharing.
  bool work_stealing = true;
  bool success_predictor = true;
};

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
  /// Why the runtime did not start (the figures are then zero).
  std::string error;
};

/// Route-only and route + execute, every task pinned to a single call
/// (`task_spec::plan = single`) so that the figures stay comparable with
/// builds from before execution plans.
runtime_bench_result run_runtime_bench(const runtime_bench_options& opts);

std::string to_json(const runtime_bench_result& r);

// -- this build against another (`--baseline BINARY`)
// --------------------------

/// `rounds` runs of this build (in process) and of `binary bench runtime
/// --json` (a child process), taking turns (this build first in odd rounds,
/// the baseline first in even ones) so that drift on a shared machine falls
/// on both alike. Both pace at the same rate: `opts.paced_rate`, or half of
/// this build's route + execute maximum (measured first, for `seconds`).
struct runtime_baseline_result {
  std::string binary;
  double paced_rate = 0.0;
  std::vector<runtime_bench_result> current;
  std::vector<runtime_bench_result> baseline;
  /// The median over the rounds of each figure, per build.
  runtime_bench_result current_median;
  runtime_bench_result baseline_median;
  std::string error;
};

runtime_baseline_result run_runtime_baseline(const runtime_bench_options& opts,
                                             const std::string& binary,
                                             unsigned rounds);

std::string to_json(const runtime_baseline_result& r);

// -- execution plans (`--plans`)
// --------------------------------------------------

/// One plan kind, every task of the mix forced to it (route + execute).
struct runtime_plan_result {
  engine::plan_kind plan = engine::plan_kind::single;
  /// Closed loop: tasks/s, and wall time per task (its inverse) in us.
  double tasks_per_second = 0.0;
  double us_per_task = 0.0;
  /// Per completed task: its calls (attempts over every step, an
  /// ensemble's members included; the provider never fails, so there are no
  /// retries) and the plan's steps that ran (1 for single).
  double calls_per_task = 0.0;
  double steps_per_task = 0.0;
  /// Open loop at `paced_rate` tasks/s: latency from submission to callback.
  double paced_rate = 0.0;
  double achieved_rate = 0.0;
  double p50_us = 0.0;
  double p99_us = 0.0;
  /// The runtime's cost per step beyond the first, against `single` in the
  /// same run: (this plan's figure - single's) / (steps_per_task - single's
  /// steps_per_task), from the closed loop's time per task (`us_per_task`)
  /// and from the paced p50. 0 for single.
  double overhead_per_step_us = 0.0;
  double p50_overhead_per_step_us = 0.0;
  std::uint64_t errors = 0;
};

struct runtime_plans_result {
  unsigned threads = 0;
  std::string scheduler;
  bool success_predictor = true;
  /// single first: the others' overhead is measured against it.
  std::vector<runtime_plan_result> plans;
  std::string error;
};

/// Each of `plans` in one runtime: first every closed loop, then every
/// paced phase at one rate (`opts.paced_rate`, or half the lowest maximum
/// among the plans, so that none is saturated).
runtime_plans_result
run_runtime_plans_bench(const runtime_bench_options& opts,
                        const std::vector<engine::plan_kind>& plans);

std::string to_json(const runtime_plans_result& r);

} // namespace switchyard::bench
