#pragma once

#include "load_client.hpp"
#include "request_mix.hpp"
#include "rss_sampler.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::bench {

/// How load is offered.
enum class load_mode : std::uint8_t {
  /// A fixed rate per target, the targets interleaved on one schedule
  /// (latency from when each request was due).
  open_loop,
  /// wrk's way: a fixed number of connections per target, each sending its
  /// next request as soon as the previous one is answered; the targets
  /// take turns in slices of about a second.
  closed_loop,
  /// N streaming requests at once, each on its own connection, against
  /// each target in turn: completed streams and time to first byte.
  concurrent_streams,
};

/// `switchyard bench gateway`: HTTP load through the gateway, optionally
/// beside the same load straight at the upstream, at a gateway without its
/// store, at another build's gateway and at an nginx proxy.
struct gateway_bench_options {
  /// The switchyard executable, to start sim-upstream and the gateway.
  std::string binary;
  /// Ports of servers already running on 127.0.0.1; 0: start our own.
  std::uint16_t gateway_port = 0;
  std::uint16_t upstream_port = 0;
  /// For our own processes: `serve --config` and `sim-upstream --config`
  /// (empty: the built-in ones; sim-upstream with --zero-delay unless a
  /// config is given, or the mode is concurrent streams).
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
  /// (`gateway/`, `baseline/`), as users run it; empty: no store (with
  /// `compare_store`: a temporary folder, removed afterwards).
  std::string data_dir;
  /// A second gateway of this binary without a store ("no-store") gets the
  /// same load as ours, which has one: the store's cost from one run.
  bool compare_store = false;
  /// A second gateway of this binary with tracing on ("tracing": every
  /// request traced at the config's sample_ratio, 1 by default, exported
  /// to an OTLP/HTTP collector in this process) gets the same load as
  /// ours, which runs with tracing off: the cost of tracing from one run.
  bool compare_tracing = false;
  /// "nginx": Debian's nginx as a proxy in front of the same upstream
  /// ("nginx") gets the same load; the gateways' figures are reported as
  /// ratios to its. Implies the direct-upstream arm (for added latency).
  std::string reference;
  std::string nginx_binary = "/usr/sbin/nginx";
  load_mode mode = load_mode::open_loop;
  /// Closed loop: one step per count of connections per target.
  std::vector<std::size_t> closed_connections{1, 64};
  /// Concurrent streams: one step per count.
  std::vector<std::size_t> concurrent_streams{1000, 3000};
  /// What the direct-upstream arm asks for in place of "auto".
  std::string upstream_model = "gpt-4o-mini";
  bool stream = false;
  bool compare = false;
  /// Load sim-upstream alone (no gateway): the generator's rate straight at
  /// the upstream, for the throughput ratio without the two sharing CPUs.
  bool upstream_only = false;
  /// Open loop: rates per target, requests/s. One rate: one step. Several:
  /// a sweep that stops for each target once it is past its knee.
  std::vector<double> rates{1000};
  /// Open and closed loop: seconds per step and target.
  double duration_s = 5;
  double warmup_s = 1;
  /// Open loop: keep-alive connections per target.
  std::size_t connections = 32;
  double timeout_s = 5;
  /// The knee: the highest rate whose p99 stays under this, with under 1%
  /// errors and at least 95% of the offered rate achieved.
  double p99_limit_ms = 5;
  /// Period of RSS samples of our own gateway process.
  double memory_interval_s = 1;
  /// Where our children's stderr goes (empty: /dev/null).
  std::string log_dir;
  /// The open-file limit this process runs with, for the report: the
  /// command raises it to the hard limit first (stock Debian's soft limit,
  /// 1,024, is below a few thousand streams), and our children inherit it.
  std::uint64_t open_file_limit = 0;
  std::function<void(std::string_view label, double fraction)> progress;
};

struct latency_summary {
  double p50_us = 0, p90_us = 0, p99_us = 0, p99_9_us = 0, max_us = 0,
         mean_us = 0;
  std::uint64_t count = 0;
};

[[nodiscard]] latency_summary summarize(const latency_histogram& h);

/// One target in one step. Targets: "upstream" (sim-upstream directly),
/// "nginx", "baseline", "no-store", "tracing" and "gateway" (ours), in that
/// order.
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
  [[nodiscard]] std::uint64_t error_total() const noexcept {
    std::uint64_t n = 0;
    for (auto e : errors)
      n += e;
    return n;
  }

  /// This target minus "upstream" at each percentile, when the step has
  /// the direct arm.
  std::optional<latency_summary> added_latency;
  std::optional<latency_summary> added_first_byte;
};

/// One target's figures over another's, from the same step. NaN where a
/// ratio has no meaning (a zero or negative denominator).
struct target_comparison {
  std::string target;
  std::string reference;
  /// Achieved requests/s, and answered requests (completed streams).
  double throughput = 0;
  double completed = 0;
  /// End-to-end latency percentiles.
  double p50 = 0;
  double p99 = 0;
  /// Added latency (each minus the direct upstream), when measured.
  double added_p50 = 0;
  double added_p99 = 0;
  /// Added time to first byte (streams), when measured.
  double added_first_byte_p50 = 0;
  double added_first_byte_p99 = 0;
  bool has_added = false;
  bool has_first_byte = false;
};

struct gateway_bench_step {
  /// Open loop: the offered rate per target. Else 0.
  double rate = 0;
  /// Closed loop: connections per target; concurrent streams: streams per
  /// target. Open loop: 0.
  std::size_t concurrency = 0;
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
  /// The storeless gateway's (0: none).
  std::uint64_t no_store_rss = 0;
  /// The traced gateway's (0: none).
  std::uint64_t tracing_rss = 0;
  /// gateway / no-store, tracing / gateway, gateway / nginx, no-store /
  /// nginx, gateway / baseline, and (concurrent streams) gateway /
  /// upstream: those whose targets ran in this step.
  std::vector<target_comparison> comparisons;
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
  double no_store_knee = 0;
  double tracing_knee = 0;
  double nginx_knee = 0;
  /// Our gateway's memory (idle 0: not ours, --target).
  process_memory memory;
  /// The --baseline gateway's, sampled the same way (idle 0: none).
  process_memory baseline_memory;
  /// The --compare-store gateway without a store (idle 0: none).
  process_memory no_store_memory;
  /// The --compare-tracing gateway (idle 0: none).
  process_memory tracing_memory;
  /// What its collector received: export requests and spans.
  std::uint64_t tracing_exports = 0;
  std::uint64_t tracing_spans = 0;
  /// Where our gateway kept its store ("": none); "(temporary)" appended
  /// when the folder was removed afterwards.
  std::string store_dir;
  /// The nginx reference: its version and configuration (empty: none).
  std::string nginx_version;
  std::string nginx_directives;
};

/// The comparison of `target` with `reference` (both of one step).
[[nodiscard]] target_comparison compare(const gateway_target_step& target,
                                        const gateway_target_step& reference);

[[nodiscard]] gateway_bench_result
run_gateway_bench(const gateway_bench_options& opts);

[[nodiscard]] std::string to_json(const gateway_bench_result& r);
[[nodiscard]] std::string to_csv(const gateway_bench_result& r);
[[nodiscard]] std::string to_svg(const gateway_bench_result& r);
[[nodiscard]] std::string to_text(const gateway_bench_result& r);

} // namespace switchyard::bench
