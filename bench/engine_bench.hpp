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
  /// With a prompt model: the prompts in its history, the time to build its
  /// index, and the bytes history and index hold.
  std::size_t prompt_history = 0;
  double index_build_ms = 0.0;
  std::size_t history_bytes = 0;
  std::size_t index_bytes = 0;
};

/// Runs classify + estimate + filter + score + select over a fixed mix of
/// tasks on one thread: first a throughput phase of `seconds`, then a latency
/// phase timing each of `latency_samples` decisions. With `prompt_history`
/// above 0, each decision also reads a prompt model whose history holds that
/// many generated prompts (word frequencies ~ Zipf over a 30,000-word
/// vocabulary, 8-80 words, three models' outcomes each): its terms, the
/// index's estimate and the blend, on prompts drawn the same way.
engine_bench_result run_engine_bench(const engine::registry& reg, double seconds,
                                     std::uint64_t latency_samples,
                                     std::size_t prompt_history = 0);

std::string to_json(const engine_bench_result& r);

} // namespace switchyard::bench
