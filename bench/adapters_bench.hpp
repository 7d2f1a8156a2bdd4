#pragma once

#include <cstdint>
#include <string>

namespace switchyard::bench {

struct adapters_bench_options {
  /// Timed requests per arm and mode (after `warmup` untimed ones).
  std::uint64_t requests = 20'000;
  std::uint64_t warmup = 1'000;
  /// Output tokens of every answer.
  std::uint32_t output_tokens = 64;
};

/// One arm's figures: requests one after another on one keep-alive
/// connection.
struct adapters_arm_result {
  double requests_per_second = 0.0;
  double p50_us = 0.0;
  double p90_us = 0.0;
  double p99_us = 0.0;
};

struct adapters_mode_result {
  /// A minimal synchronous Beast client: write the request, read the whole
  /// response, parse nothing.
  adapters_arm_result raw;
  /// http_client + the OpenAI adapter: request building, the asynchronous
  /// pool, parsing, usage and cost.
  adapters_arm_result adapter;
  double added_p50_us = 0.0;
  double added_p99_us = 0.0;
  /// adapter / raw requests per second.
  double throughput_ratio = 0.0;
  std::uint64_t failures = 0;
};

struct adapters_bench_result {
  adapters_mode_result plain;
  adapters_mode_result stream;
  std::uint64_t requests = 0;
  std::uint32_t output_tokens = 0;
  std::uint32_t response_bytes_plain = 0;
  std::uint32_t response_bytes_stream = 0;
  /// Set when the benchmark could not run.
  std::string error;
};

/// Starts an in-process sim-upstream at zero delay on loopback and sends the
/// same OpenAI chat completion through both arms, plain then streamed.
adapters_bench_result run_adapters_bench(const adapters_bench_options& opts);

std::string to_json(const adapters_bench_result& r);

} // namespace switchyard::bench
