#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::bench {

struct dashboard_bench_options {
  /// Decisions written to the store before the gateway starts.
  std::uint64_t decisions = 100'000;
  /// Spread evenly over this many days before now (at most 29: the log
  /// keeps 30).
  double days = 29.0;
  /// Timed requests per endpoint (after `warmup` untimed ones).
  unsigned requests = 50;
  unsigned warmup = 3;
  /// The switchyard binary to run `serve` from.
  std::string binary;
};

/// One endpoint's latency, from sending the request to the last body byte,
/// on one keep-alive connection.
struct dashboard_endpoint_result {
  std::string name;
  std::string target;
  double p50_ms = 0.0;
  double p99_ms = 0.0;
  double max_ms = 0.0;
  std::uint64_t body_bytes = 0;
};

struct dashboard_bench_result {
  std::string error;
  std::uint64_t decisions = 0;
  double days = 0.0;
  double fill_seconds = 0.0;
  /// The gateway from exec to its listening line.
  double startup_seconds = 0.0;
  std::vector<dashboard_endpoint_result> endpoints;
};

/// Fills a fresh store with `decisions` logged decisions (the built-in
/// registry's real routing decisions over a fixed task mix, written through
/// the storage API in batches), starts `switchyard serve` on it, signs in to
/// the dashboard and times what the dashboard reads.
dashboard_bench_result run_dashboard_bench(const dashboard_bench_options& o);

std::string to_json(const dashboard_bench_result& r);

} // namespace switchyard::bench
