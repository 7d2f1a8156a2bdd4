#pragma once

#include "load_client.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::bench {

/// `switchyard bench gateway`: open-loop HTTP load through the gateway,
/// optionally interleaved with the same load straight at the upstream.
struct gateway_bench_options {
  /// The switchyard executable, to start sim-upstream and the gateway.
  std::string binary;
  /// Ports of servers already running on 127.0.0.1; 0: start our own.
  std::uint16_t gateway_port = 0;
  std::uint16_t upstream_port = 0;
  /// For our own processes: `serve --config` and `sim-upstream --config`
  /// (empty: the built-in ones; sim-upstream always with --zero-delay
  /// unless a config is given).
  std::string gateway_config;
  std::string sim_config;
  std::vector<std::string> serve_args;
  /// Another switchyard build: a second gateway from it ("baseline"), on
  /// the same upstream, gets the same schedule interleaved, for before/after
  /// ratios from one run. Empty: none.
  std::string baseline_binary;
  /// Sent as `Authorization: Bearer` to the gateway (empty: our own gateway
  /// runs with --no-auth).
  std::string api_key;
  /// Request bodies: the built-in mix, or one JSON body from a file.
  std::string body_file;
  /// The baseline gateway's body instead of `body_file` (empty: the same),
  /// so that two request shapes compare in one run on one binary: pass this
  /// binary as the baseline.
  std::string baseline_body_file;
  /// Each gateway we start keeps its store in a folder of its own here
  /// (`gateway/`, `baseline/`), as users run it; empty: no store.
  std::string data_dir;
  /// What the direct-upstream arm asks for in place of "auto".
  std::string upstream_model = "gpt-4o-mini";
  bool stream = false;
  bool compare = false;
  /// Load sim-upstream alone (no gateway): the generator's rate straight at
  /// the upstream, for the throughput ratio without the two sharing CPUs.
  bool upstream_only = false;
  /// Rates per target, requests/s. One rate: one step. Several: a sweep
  /// that stops for each target once it is past its knee.
  std::vector<double> rates{1000};
  double duration_s = 5;
  double warmup_s = 1;
  std::size_t connections = 32;
  double timeout_s = 5;
  /// The knee: the highest rate whose p99 stays under this, with under 1%
  /// errors and at least 95% of the offered rate achieved.
  double p99_limit_ms = 5;
  /// Period of RSS samples of our own gateway process.
  double memory_interval_s = 1;
  /// Where our children's stderr goes (empty: /dev/null).
  std::string log_dir;
  std::function<void(std::string_view label, double fraction)> progress;
};

struct latency_summary {
  double p50_us = 0, p90_us = 0, p99_us = 0, p99_9_us = 0, max_us = 0,
         mean_us = 0;
  std::uint64_t count = 0;
};

[[nodiscard]] latency_summary summarize(const latency_histogram& h);

struct gateway_target_step {
  std::string name;
  std::uint64_t requests = 0;
  std::uint64_t answered = 0;
  std::array<std::uint64_t, load_error_count> errors{};
  double achieved_rate = 0;
  latency_summary latency;
  latency_summary first_byte;
  /// Within the limits that define the knee.
  bool sustained = false;
  /// CPU time of our own process for this target per answered request,
  /// microseconds (0: not a process we started).
  double cpu_us_per_request = 0;
};

struct gateway_bench_step {
  double rate = 0;
  std::vector<gateway_target_step> targets;
  /// gateway minus upstream at each percentile (compare mode).
  std::optional<latency_summary> added_latency;
  std::optional<latency_summary> added_first_byte;
  /// The same for the baseline gateway, when there is one.
  std::optional<latency_summary> baseline_added_latency;
  std::optional<latency_summary> baseline_added_first_byte;
  double max_schedule_lag_us = 0;
  /// Our gateway's RSS at the end of the step, bytes (0: not ours).
  std::uint64_t gateway_rss = 0;
  /// The baseline gateway's (0: none).
  std::uint64_t baseline_rss = 0;
};

struct memory_sample {
  double seconds = 0;
  std::uint64_t rss = 0;
};

/// One gateway process's memory: before any load, the peak under load,
/// after it, and the samples between.
struct process_memory {
  std::uint64_t idle = 0;
  std::uint64_t peak = 0;
  std::uint64_t after = 0;
  /// Mean RSS of the last quarter of the samples minus the second quarter
  /// (after warm-up): growth over the run.
  std::int64_t growth = 0;
  std::vector<memory_sample> samples;
};

struct gateway_bench_result {
  std::string error;
  gateway_bench_options options;
  std::size_t mix_size = 0;
  std::vector<gateway_bench_step> steps;
  /// Highest rate sustained per target (sweeps), 0 when none.
  double gateway_knee = 0;
  double upstream_knee = 0;
  double baseline_knee = 0;
  /// Our gateway's memory (idle 0: not ours, --target).
  process_memory memory;
  /// The --baseline gateway's, sampled the same way (idle 0: none).
  process_memory baseline_memory;
};

/// The built-in request mix: OpenAI chat bodies with model "auto", of
/// mixed task types and lengths.
[[nodiscard]] std::vector<std::string> builtin_request_mix(bool stream);

[[nodiscard]] gateway_bench_result
run_gateway_bench(const gateway_bench_options& opts);

[[nodiscard]] std::string to_json(const gateway_bench_result& r);
[[nodiscard]] std::string to_csv(const gateway_bench_result& r);
[[nodiscard]] std::string to_svg(const gateway_bench_result& r);
[[nodiscard]] std::string to_text(const gateway_bench_result& r);

} // namespace switchyard::bench
