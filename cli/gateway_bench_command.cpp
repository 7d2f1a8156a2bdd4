#include "gateway_bench_command.hpp"

#include "command_line.hpp"
#include "gateway_bench.hpp"
#include "open_file_limit.hpp"

#include <climits>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <unistd.h>

namespace switchyard::cli {

namespace {

/// "http://127.0.0.1:PORT" or "127.0.0.1:PORT" to PORT; 0 when malformed.
std::uint16_t loopback_port(std::string url) {
  if (url.rfind("http://", 0) == 0)
    url.erase(0, 7);
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  std::string host;
  std::uint16_t port = 0;
  if (!split_host_port(url, host, port)
      || (host != "127.0.0.1" && host != "localhost"))
    return 0;
  return port;
}

/// "1,64" to {1, 64}: positive integers up to `most`; nullopt when
/// malformed.
std::optional<std::vector<std::size_t>> count_list(const std::string& text,
                                                   long long most) {
  std::vector<std::size_t> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    auto item = text.substr(pos, comma == std::string::npos ? std::string::npos
                                                            : comma - pos);
    char* end = nullptr;
    auto v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || end == item.c_str() || *end != '\0' || v < 1
        || v > most)
      return std::nullopt;
    out.push_back(static_cast<std::size_t>(v));
    if (comma == std::string::npos)
      break;
    pos = comma + 1;
  }
  return out;
}

std::string self_path() {
  char buf[PATH_MAX];
  auto n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0)
    return {};
  return std::string(buf, static_cast<std::size_t>(n));
}

} // namespace

int run_gateway_bench_command(const std::vector<std::string>& args) {
  command_line cl{
    "bench gateway",
    "switchyard bench gateway [--rate R] [--duration S] [--connections N]\n"
    "    [--target URL] [--upstream URL] [--compare] [--sweep R1,R2,...]\n"
    "    [--closed-loop [--connections 1,64]] [--concurrent-streams N1,N2]\n"
    "    [--compare-store] [--compare-tracing] [--reference nginx]\n"
    "    [--data-dir D]\n"
    "    [--stream] [--body FILE] [--key KEY] [--json] [--csv FILE]\n"
    "    [--plot FILE.svg] [...]\n\n"
    "Open-loop load at a fixed rate (the default): requests are due at fixed\n"
    "intervals and their latency counts from when they were due (no\n"
    "coordinated omission). Without --target it starts its own sim-upstream\n"
    "(zero delay, no faults) and `switchyard serve` pointed at it, on free\n"
    "ports, and samples the gateway's RSS. --compare sends the same\n"
    "schedule, interleaved, straight to the upstream's OpenAI endpoint too\n"
    "and reports the latency the gateway adds at each percentile. --sweep\n"
    "runs one step per rate and finds each target's knee: the highest rate\n"
    "with p99 under --p99-limit, under 1% errors and 95% of the rate\n"
    "achieved.\n\n"
    "--closed-loop measures as wrk does: each of --connections per target\n"
    "sends its next request when answered, for --duration per target, the\n"
    "targets taking turns in slices of about a second. --concurrent-streams\n"
    "opens that many streaming requests at once against sim-upstream alone,\n"
    "then through the gateway (sim-upstream with its own pacing and faults\n"
    "unless --sim-config). --compare-store adds a gateway of this binary\n"
    "without a store beside ours with one; --reference nginx adds Debian's\n"
    "nginx as a proxy in front of the same upstream, and prints its\n"
    "configuration with the ratios.",
    {
      {"rate", takes::number, "requests/s per target (default 1000)"},
      {"duration", takes::number, "seconds per step (default 5)"},
      {"warmup", takes::number, "seconds of unmeasured load first (default 1)"},
      {"connections", takes::text,
       "keep-alive connections per target (default 32); with --closed-loop "
       "a list, one step each (default 1,64)"},
      {"timeout", takes::number,
       "seconds before a request counts as timed out "
       "(default 5; 60 with --concurrent-streams)"},
      {"closed-loop", takes::nothing,
       "closed loop as wrk: each connection re-sends when answered"},
      {"concurrent-streams", takes::text,
       "streams opened at once per target, a list (e.g. 1000,3000): "
       "completed streams and time to first byte"},
      {"compare-store", takes::nothing,
       "also a gateway of this binary without a store; ours keeps one "
       "(under --data-dir, else a temporary folder)"},
      {"compare-tracing", takes::nothing,
       "also a gateway of this binary tracing every request (the config's "
       "sample_ratio, 1 by default) to an OTLP/HTTP collector in this "
       "process; ours runs with tracing off"},
      {"reference", takes::text,
       "nginx: Debian's nginx as a proxy in front of the same upstream, "
       "the gateways' figures as ratios to its"},
      {"nginx", takes::text, "the nginx binary (default /usr/sbin/nginx)"},
      {"target", takes::text,
       "a running gateway, http://127.0.0.1:PORT (default: "
       "start one)"},
      {"upstream", takes::text,
       "a running sim-upstream, http://127.0.0.1:PORT "
       "(default: start one)"},
      {"upstream-model", takes::text,
       "model the direct-upstream requests name (default gpt-4o-mini)"},
      {"config", takes::text, "registry YAML for the gateway we start"},
      {"sim-config", takes::text,
       "sim-upstream YAML for the one we start (default: built-in, "
       "--zero-delay)"},
      {"serve-arg", takes::text,
       "extra flag for the gateway we start, e.g. "
       "--serve-arg=--io-threads=2 (repeat with commas)"},
      {"baseline", takes::text,
       "another switchyard binary: its gateway gets the same schedule "
       "interleaved (before/after ratios from one run)"},
      {"key", takes::text,
       "API key for the gateway (default: ours runs --no-auth)"},
      {"compare", takes::nothing,
       "also load the upstream directly, interleaved"},
      {"upstream-only", takes::nothing,
       "load sim-upstream alone, no gateway (the generator's own ceiling)"},
      {"sweep", takes::text,
       "comma-separated rates: one step each, to the knee"},
      {"p99-limit", takes::number, "ms, the knee's p99 bound (default 5)"},
      {"stream", takes::nothing,
       "stream: SSE responses; also time the first byte"},
      {"body", takes::text,
       "one JSON request body for every request (default: "
       "the built-in mix of task types)"},
      {"baseline-body", takes::text,
       "the baseline gateway's body instead of --body: with this binary as "
       "--baseline, two request shapes compared in one run"},
      {"data-dir", takes::text,
       "each gateway we start keeps its store in its own folder under this "
       "one, as users run it (default: no store; with --compare-store, a "
       "temporary folder removed afterwards)"},
      {"memory-interval", takes::number,
       "seconds between RSS samples (default 1)"},
      {"log-dir", takes::text, "write the children's stderr there"},
      {"json", takes::nothing, "print the report as JSON"},
      {"csv", takes::text, "also write one CSV row per step and target here"},
      {"plot", takes::text, "also write an SVG of latency against rate here"},
    }};
  auto fail = [](const std::string& msg) {
    std::cerr << "switchyard bench gateway: " << msg << "\n";
    return 2;
  };
  if (auto done = cl.parse_or_exit(args, "switchyard bench gateway"))
    return *done;
  if (!cl.positional().empty())
    return fail("unexpected argument '" + cl.positional().front() + "'");
  bench::gateway_bench_options o;
  o.binary = self_path();
  auto rate = cl.number("rate");
  auto duration = cl.number("duration");
  auto warmup = cl.number("warmup");
  auto timeout = cl.number("timeout");
  auto p99 = cl.number("p99-limit");
  auto interval = cl.number("memory-interval");
  if ((rate && *rate <= 0) || (duration && *duration <= 0)
      || (warmup && *warmup < 0) || (timeout && *timeout <= 0)
      || (p99 && *p99 <= 0) || (interval && *interval <= 0))
    return fail("--rate, --duration, --timeout, --p99-limit and "
                "--memory-interval must be positive, --warmup not negative");
  if (cl.has("closed-loop") && cl.value("concurrent-streams"))
    return fail("--closed-loop and --concurrent-streams are two modes: pick "
                "one");
  if (cl.has("closed-loop"))
    o.mode = bench::load_mode::closed_loop;
  if (cl.value("concurrent-streams"))
    o.mode = bench::load_mode::concurrent_streams;
  bool open = o.mode == bench::load_mode::open_loop;
  if (auto c = cl.value("connections")) {
    auto counts = count_list(*c, 20000);
    if (!counts || (open && counts->size() != 1))
      return fail(open ? "--connections takes one count, 1-20000"
                       : "--connections takes counts 1-20000 separated by "
                         "commas, e.g. 1,64");
    if (o.mode == bench::load_mode::concurrent_streams)
      return fail("--concurrent-streams opens one connection per stream: "
                  "no --connections");
    o.connections = counts->front();
    o.closed_connections = *counts;
  }
  if (auto c = cl.value("concurrent-streams")) {
    auto counts = count_list(*c, 100000);
    if (!counts)
      return fail("--concurrent-streams takes counts separated by commas, "
                  "e.g. 1000,3000");
    o.concurrent_streams = *counts;
  }
  if (!open && (rate || cl.value("sweep")))
    return fail("--rate and --sweep are for the open loop: not with "
                "--closed-loop or --concurrent-streams");
  if (rate)
    o.rates = {*rate};
  if (auto s = cl.value("sweep")) {
    o.rates.clear();
    std::size_t pos = 0;
    while (pos <= s->size()) {
      auto comma = s->find(',', pos);
      auto item = s->substr(pos, comma == std::string::npos ? std::string::npos
                                                            : comma - pos);
      char* end = nullptr;
      auto v = std::strtod(item.c_str(), &end);
      if (item.empty() || end == item.c_str() || *end != '\0' || v <= 0)
        return fail("--sweep takes positive rates separated by commas, e.g. "
                    "1000,2000,5000");
      o.rates.push_back(v);
      if (comma == std::string::npos)
        break;
      pos = comma + 1;
    }
  }
  if (duration)
    o.duration_s = *duration;
  if (warmup)
    o.warmup_s = *warmup;
  if (timeout)
    o.timeout_s = *timeout;
  else if (o.mode == bench::load_mode::concurrent_streams)
    // A gateway that queues streams behind a provider's limit answers
    // only after the call's own timeout: give them that long.
    o.timeout_s = 60;
  if (p99)
    o.p99_limit_ms = *p99;
  if (interval)
    o.memory_interval_s = *interval;
  if (auto t = cl.value("target")) {
    o.gateway_port = loopback_port(*t);
    if (o.gateway_port == 0)
      return fail("--target must be http://127.0.0.1:PORT");
  }
  if (auto u = cl.value("upstream")) {
    o.upstream_port = loopback_port(*u);
    if (o.upstream_port == 0)
      return fail("--upstream must be http://127.0.0.1:PORT");
  }
  o.upstream_model = cl.value("upstream-model").value_or(o.upstream_model);
  o.gateway_config = cl.value("config").value_or("");
  o.sim_config = cl.value("sim-config").value_or("");
  o.api_key = cl.value("key").value_or("");
  o.body_file = cl.value("body").value_or("");
  o.baseline_body_file = cl.value("baseline-body").value_or("");
  o.data_dir = cl.value("data-dir").value_or("");
  if (!o.baseline_body_file.empty() && !cl.value("baseline"))
    return fail("--baseline-body needs --baseline (this binary, to compare "
                "two request shapes in one run)");
  o.log_dir = cl.value("log-dir").value_or("");
  o.baseline_binary = cl.value("baseline").value_or("");
  o.compare = cl.has("compare");
  o.upstream_only = cl.has("upstream-only");
  if (o.upstream_only && (o.compare || o.gateway_port != 0
                          || !o.baseline_binary.empty()))
    return fail("--upstream-only loads sim-upstream alone: not with "
                "--compare, --target or --baseline");
  o.stream = cl.has("stream");
  o.compare_store = cl.has("compare-store");
  o.compare_tracing = cl.has("compare-tracing");
  if (o.compare_tracing && (o.gateway_port != 0 || o.upstream_only))
    return fail("--compare-tracing starts two gateways of this binary: not "
                "with --target or --upstream-only");
  o.reference = cl.value("reference").value_or("");
  o.nginx_binary = cl.value("nginx").value_or(o.nginx_binary);
  if (!o.reference.empty() && o.reference != "nginx")
    return fail("--reference takes nginx (the one reference proxy there "
                "is), got '" + o.reference + "'");
  if (o.compare_store && (o.gateway_port != 0 || o.upstream_only))
    return fail("--compare-store starts two gateways of this binary: not "
                "with --target or --upstream-only");
  if (!o.reference.empty() && o.upstream_only)
    return fail("--reference nginx compares gateways with nginx: not with "
                "--upstream-only");
  if (!o.reference.empty() && o.gateway_port != 0 && o.upstream_port == 0)
    return fail("--reference nginx with --target needs --upstream too (the "
                "gateway's own upstream, for nginx to proxy to)");
  if (auto extra = cl.value("serve-arg")) {
    std::size_t pos = 0;
    while (pos < extra->size()) {
      auto comma = extra->find(',', pos);
      o.serve_args.push_back(extra->substr(pos, comma - pos));
      if (comma == std::string::npos)
        break;
      pos = comma + 1;
    }
  }
  if (o.gateway_port != 0 && o.upstream_port == 0 && o.compare)
    return fail("--compare with --target needs --upstream too (the gateway's "
                "own upstream)");
  // A progress bar only for a person watching.
  bool tty = isatty(STDERR_FILENO) != 0;
  if (tty)
    o.progress = [](std::string_view label, double f) {
      int width = 30;
      int filled = static_cast<int>(f * width);
      std::fprintf(stderr, "\r  %-14.*s [%.*s%*s] %3.0f%%",
                   static_cast<int>(label.size()), label.data(), filled,
                   "##############################", width - filled, "",
                   f * 100.0);
      std::fflush(stderr);
    };
  // Before any thread and any child: thousands of streams need thousands
  // of descriptors here, and as many in sim-upstream and the gateway,
  // which inherit the limit.
  auto files = raise_open_file_limit();
  if (!files.error.empty())
    std::cerr << "switchyard bench gateway: " << describe(files) << "\n";
  o.open_file_limit = files.after;
  auto r = bench::run_gateway_bench(o);
  if (tty)
    std::fprintf(stderr, "\r%*s\r", 60, "");
  if (!r.error.empty()) {
    std::cerr << "switchyard bench gateway: " << r.error << "\n";
    return 1;
  }
  if (auto path = cl.value("csv")) {
    std::ofstream out{*path};
    out << bench::to_csv(r);
    if (!out)
      return fail("cannot write " + *path);
  }
  if (auto path = cl.value("plot")) {
    std::ofstream out{*path};
    out << bench::to_svg(r);
    if (!out)
      return fail("cannot write " + *path);
  }
  if (cl.has("json"))
    std::cout << bench::to_json(r) << "\n";
  else
    std::cout << bench::to_text(r);
  return 0;
}

} // namespace switchyard::cli
