#include "gateway_bench.hpp"

#include "target_processes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace switchyard::bench {

namespace {

/// Targets in the order they are loaded and reported.
constexpr std::string_view target_order[] = {"upstream", "nginx", "baseline",
                                             "no-store", "tracing", "gateway"};

double us(std::uint64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

latency_summary minus(const latency_summary& a, const latency_summary& b) {
  latency_summary d;
  d.p50_us = a.p50_us - b.p50_us;
  d.p90_us = a.p90_us - b.p90_us;
  d.p99_us = a.p99_us - b.p99_us;
  d.p99_9_us = a.p99_9_us - b.p99_9_us;
  d.max_us = a.max_us - b.max_us;
  d.mean_us = a.mean_us - b.mean_us;
  d.count = std::min(a.count, b.count);
  return d;
}

/// a / b, NaN unless b is positive (a ratio to nothing means nothing).
double ratio(double a, double b) {
  return b > 0 ? a / b : std::numeric_limits<double>::quiet_NaN();
}

bool read_body(const std::string& file, std::vector<std::string>& out,
               std::string& error) {
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    error = "cannot read the body file " + file;
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  out.push_back(ss.str());
  return true;
}

/// Adds `more` (another slice of the same target) to `into`.
void accumulate(target_outcome& into, const target_outcome& more) {
  into.requests += more.requests;
  into.answered += more.answered;
  for (std::size_t i = 0; i < load_error_count; ++i)
    into.errors[i] += more.errors[i];
  into.latency.merge(more.latency);
  into.first_byte.merge(more.first_byte);
  into.connections_opened += more.connections_opened;
  into.seconds += more.seconds;
}

/// Everything one run loads, and what it learns per target across steps.
class bench_run {
 public:
  bench_run(const gateway_bench_options& o, gateway_bench_result& r,
            const target_processes& procs)
      : o_(o), r_(r), procs_(procs) {}

  /// The load targets, in `target_order`, with their requests.
  bool make_targets(const std::vector<std::string>& bodies,
                    const std::vector<std::string>& baseline_bodies) {
    bool direct = o_.compare || o_.upstream_only || !o_.reference.empty()
                  || o_.mode == load_mode::concurrent_streams;
    for (auto name : target_order) {
      auto port = procs_.port_of(name);
      if (port == 0 || (name == "upstream" && !direct)
          || (name == "gateway" && o_.upstream_only))
        continue;
      load_target t{std::string{name}, port, {}, o_.connections};
      // nginx proxies to the upstream: it gets the upstream's requests.
      bool upstream_shape = name == "upstream" || name == "nginx";
      for (const auto& b : name == "baseline" ? baseline_bodies : bodies)
        t.requests.push_back(
          upstream_shape
            ? http_request(port, for_upstream(b, o_.upstream_model),
                           "sk-bench-upstream")
            : http_request(port, b, o_.api_key));
      targets_.push_back(std::move(t));
      live_.push_back(true);
    }
    return !targets_.empty();
  }

  void run() {
    switch (o_.mode) {
      case load_mode::open_loop: return run_open_loop();
      case load_mode::closed_loop: return run_closed_loop_steps();
      case load_mode::concurrent_streams: return run_stream_steps();
    }
  }

 private:
  // -- open loop --------------------------------------------------------------

  /// A phase of `seconds` that is the part [`done`, `done` + `share`) of
  /// what `label` reports progress for.
  load_phase open_phase(double rate, double seconds, std::string label,
                        double done = 0, double share = 1) const {
    load_phase ph;
    ph.rate = rate;
    ph.duration = std::chrono::milliseconds{
      static_cast<std::int64_t>(seconds * 1000.0)};
    ph.timeout = timeout();
    ph.stream = o_.stream;
    if (o_.progress)
      ph.progress = [this, label, done, share](double f) {
        o_.progress(label, done + f * share);
      };
    return ph;
  }

  void run_open_loop() {
    if (o_.warmup_s > 0) {
      auto w = run_load(targets_, open_phase(o_.rates.front(), o_.warmup_s,
                                             "warm-up"));
      if (!w.error.empty()) {
        r_.error = w.error;
        return;
      }
    }
    for (auto rate : o_.rates) {
      std::vector<load_target> step_targets;
      std::vector<std::size_t> index;
      for (std::size_t i = 0; i < targets_.size(); ++i)
        if (live_[i]) {
          step_targets.push_back(targets_[i]);
          index.push_back(i);
        }
      if (step_targets.empty())
        break;
      char label[64];
      std::snprintf(label, sizeof(label), "%.0f req/s", rate);
      // Two halves, the second with the targets in the opposite order
      // (their connections opened, and each round of the schedule taken,
      // the other way round): the same binary against itself measured the
      // target loaded last 2-4% more CPU per request in one order.
      std::vector<target_outcome> total(step_targets.size());
      std::vector<double> cpu(step_targets.size(), 0.0);
      double max_lag_us = 0;
      for (int half = 0; half < 2; ++half) {
        auto order = step_targets;
        if (half == 1)
          std::reverse(order.begin(), order.end());
        auto cpu_before = cpu_now(order);
        auto res = run_load(order, open_phase(rate, o_.duration_s / 2, label,
                                              0.5 * half, 0.5));
        if (!res.error.empty()) {
          r_.error = res.error;
          return;
        }
        max_lag_us = std::max(max_lag_us, res.max_schedule_lag_us);
        auto after = cpu_now(order);
        for (std::size_t j = 0; j < order.size(); ++j) {
          auto k = half == 0 ? j : order.size() - 1 - j;
          cpu[k] += after[j] - cpu_before[j];
          total[k].name = order[j].name;
          accumulate(total[k], res.targets[j]);
        }
      }
      gateway_bench_step step;
      step.rate = rate;
      step.max_schedule_lag_us = max_lag_us;
      for (std::size_t k = 0; k < total.size(); ++k) {
        auto ts = summarize_target(total[k], 0);
        ts.cpu_us_per_request
          = cpu_per_request(ts.name, cpu[k], ts.answered);
        ts.sustained = ts.requests > 0
                       && ts.latency.p99_us < o_.p99_limit_ms * 1000.0
                       && static_cast<double>(total[k].error_total())
                            <= 0.01 * static_cast<double>(ts.requests)
                       && ts.achieved_rate >= 0.95 * rate;
        if (ts.sustained)
          knee_of(ts.name) = rate;
        else if (o_.rates.size() > 1)
          live_[index[k]] = false;
        step.targets.push_back(std::move(ts));
      }
      finish_step(step);
    }
  }

  // -- closed loop ------------------------------------------------------------

  closed_loop_phase closed_phase(double seconds, std::size_t per_connection,
                                 std::string label, double done,
                                 double share) const {
    closed_loop_phase ph;
    ph.duration = std::chrono::milliseconds{
      static_cast<std::int64_t>(seconds * 1000.0)};
    ph.timeout = timeout();
    ph.stream = o_.stream || o_.mode == load_mode::concurrent_streams;
    ph.requests_per_connection = per_connection;
    if (o_.progress)
      ph.progress = [this, label, done, share](double f) {
        o_.progress(label, done + share * f);
      };
    return ph;
  }

  /// Each target in turn for slices of about a second until each has had
  /// `duration_s`: drift on a shared machine (other work, the store's
  /// compactions) then falls on every target alike, while each runs alone
  /// as under wrk. The slices alternate their order.
  void run_closed_loop_steps() {
    for (auto connections : o_.closed_connections) {
      char label[64];
      std::snprintf(label, sizeof(label), "%zu conn", connections);
      auto sized = targets_;
      for (auto& t : sized)
        t.connections = connections;
      if (o_.warmup_s > 0)
        for (const auto& t : sized) {
          auto w = run_closed_loop(t, closed_phase(o_.warmup_s, 0, "warm-up",
                                                   0, 1));
          if (!w.error.empty()) {
            r_.error = w.error;
            return;
          }
        }
      double slice_s = std::min(1.0, o_.duration_s);
      auto slices = static_cast<std::size_t>(
        std::max(1.0, std::round(o_.duration_s / slice_s)));
      std::vector<target_outcome> total(sized.size());
      std::vector<double> cpu(sized.size(), 0.0);
      for (std::size_t s = 0; s < slices; ++s)
        for (std::size_t j = 0; j < sized.size(); ++j) {
          auto k = s % 2 == 0 ? j : sized.size() - 1 - j;
          auto before = cpu_now({sized[k]});
          double share = 1.0 / static_cast<double>(slices * sized.size());
          auto res = run_closed_loop(
            sized[k],
            closed_phase(slice_s, 0, label,
                         static_cast<double>(s * sized.size() + j) * share,
                         share));
          if (!res.error.empty()) {
            r_.error = res.error;
            return;
          }
          if (const auto* proc = procs_.process_of(sized[k].name))
            cpu[k] += proc->cpu_seconds() - before.front();
          total[k].name = sized[k].name;
          accumulate(total[k], res.targets.front());
        }
      gateway_bench_step step;
      step.concurrency = connections;
      for (std::size_t k = 0; k < sized.size(); ++k) {
        auto ts = summarize_target(total[k], 0);
        ts.cpu_us_per_request = cpu_per_request(ts.name, cpu[k], ts.answered);
        step.targets.push_back(std::move(ts));
      }
      finish_step(step);
    }
  }

  // -- concurrent streams -----------------------------------------------------

  /// N streams opened at once against each target in turn (the targets do
  /// not share the machine's 2 cores with each other's streams).
  void run_stream_steps() {
    for (auto streams : o_.concurrent_streams) {
      char label[64];
      std::snprintf(label, sizeof(label), "%zu streams", streams);
      gateway_bench_step step;
      step.concurrency = streams;
      for (std::size_t k = 0; k < targets_.size(); ++k) {
        auto t = targets_[k];
        if (o_.warmup_s > 0) {
          t.connections = std::min<std::size_t>(streams, 16);
          auto w = run_closed_loop(t, closed_phase(o_.warmup_s, 0, "warm-up",
                                                   0, 1));
          if (!w.error.empty()) {
            r_.error = w.error;
            return;
          }
        }
        t.connections = streams;
        auto before = cpu_now({t});
        double share = 1.0 / static_cast<double>(targets_.size());
        auto res = run_closed_loop(
          t, closed_phase(0, 1, label, static_cast<double>(k) * share, share));
        if (!res.error.empty()) {
          r_.error = res.error;
          return;
        }
        step.targets.push_back(summarize_target(res.targets.front(),
                                                before.front()));
      }
      finish_step(step);
    }
  }

  // -- per step ---------------------------------------------------------------

  std::chrono::milliseconds timeout() const {
    return std::chrono::milliseconds{
      static_cast<std::int64_t>(o_.timeout_s * 1000.0)};
  }

  std::vector<double> cpu_now(const std::vector<load_target>& ts) const {
    std::vector<double> out;
    for (const auto& t : ts) {
      const auto* proc = procs_.process_of(t.name);
      out.push_back(proc != nullptr ? proc->cpu_seconds() : 0.0);
    }
    return out;
  }

  /// The upstream's CPU also serves the gateways' calls, and nginx's: only
  /// the proxies' own.
  double cpu_per_request(const std::string& name, double seconds,
                         std::uint64_t answered) const {
    if (name == "upstream" || answered == 0
        || procs_.process_of(name) == nullptr)
      return 0;
    return seconds * 1e6 / static_cast<double>(answered);
  }

  gateway_target_step summarize_target(const target_outcome& t,
                                       double cpu_before) const {
    gateway_target_step ts;
    ts.name = t.name;
    ts.requests = t.requests;
    ts.answered = t.answered;
    ts.errors = t.errors;
    ts.achieved_rate = t.achieved_rate();
    ts.latency = summarize(t.latency);
    ts.first_byte = summarize(t.first_byte);
    if (const auto* proc = procs_.process_of(t.name))
      ts.cpu_us_per_request = cpu_per_request(
        t.name, proc->cpu_seconds() - cpu_before, t.answered);
    return ts;
  }

  double& knee_of(const std::string& name) {
    if (name == "gateway")
      return r_.gateway_knee;
    if (name == "baseline")
      return r_.baseline_knee;
    if (name == "no-store")
      return r_.no_store_knee;
    if (name == "tracing")
      return r_.tracing_knee;
    if (name == "nginx")
      return r_.nginx_knee;
    return r_.upstream_knee;
  }

  /// Added latency per target, comparisons, RSS; then the step is kept.
  void finish_step(gateway_bench_step& step) {
    auto find = [&step](std::string_view name) -> gateway_target_step* {
      for (auto& t : step.targets)
        if (t.name == name)
          return &t;
      return nullptr;
    };
    bool streaming = o_.stream || o_.mode == load_mode::concurrent_streams;
    if (const auto* up = find("upstream"))
      for (auto& t : step.targets) {
        if (&t == up)
          continue;
        t.added_latency = minus(t.latency, up->latency);
        if (streaming)
          t.added_first_byte = minus(t.first_byte, up->first_byte);
      }
    if (const auto* gw = find("gateway")) {
      step.added_latency = gw->added_latency;
      step.added_first_byte = gw->added_first_byte;
    }
    if (const auto* bl = find("baseline")) {
      step.baseline_added_latency = bl->added_latency;
      step.baseline_added_first_byte = bl->added_first_byte;
    }
    auto pair = [&](std::string_view a, std::string_view b) {
      const auto* ta = find(a);
      const auto* tb = find(b);
      if (ta != nullptr && tb != nullptr)
        step.comparisons.push_back(compare(*ta, *tb));
    };
    pair("gateway", "no-store");
    pair("tracing", "gateway");
    for (auto who : {"gateway", "no-store", "baseline"})
      pair(who, "nginx");
    pair("gateway", "baseline");
    if (o_.mode == load_mode::concurrent_streams)
      for (auto who : {"gateway", "no-store", "baseline", "nginx"})
        pair(who, "upstream");
    if (const auto* p = procs_.process_of("gateway"))
      step.gateway_rss = p->rss_bytes();
    if (const auto* p = procs_.process_of("baseline"))
      step.baseline_rss = p->rss_bytes();
    if (const auto* p = procs_.process_of("no-store"))
      step.no_store_rss = p->rss_bytes();
    if (const auto* p = procs_.process_of("tracing"))
      step.tracing_rss = p->rss_bytes();
    r_.steps.push_back(std::move(step));
  }

  const gateway_bench_options& o_;
  gateway_bench_result& r_;
  const target_processes& procs_;
  std::vector<load_target> targets_;
  /// Open-loop sweeps: whether each target is still below its knee.
  std::vector<bool> live_;
};

} // namespace

latency_summary summarize(const latency_histogram& h) {
  latency_summary s;
  s.count = h.count();
  s.p50_us = us(h.quantile(0.5));
  s.p90_us = us(h.quantile(0.9));
  s.p99_us = us(h.quantile(0.99));
  s.p99_9_us = us(h.quantile(0.999));
  s.max_us = us(h.max());
  s.mean_us = h.mean() / 1000.0;
  return s;
}

target_comparison compare(const gateway_target_step& target,
                          const gateway_target_step& reference) {
  target_comparison c;
  c.target = target.name;
  c.reference = reference.name;
  c.throughput = ratio(target.achieved_rate, reference.achieved_rate);
  c.completed = ratio(static_cast<double>(target.answered),
                      static_cast<double>(reference.answered));
  c.p50 = ratio(target.latency.p50_us, reference.latency.p50_us);
  c.p99 = ratio(target.latency.p99_us, reference.latency.p99_us);
  if (target.added_latency && reference.added_latency) {
    c.has_added = true;
    c.added_p50 = ratio(target.added_latency->p50_us,
                        reference.added_latency->p50_us);
    c.added_p99 = ratio(target.added_latency->p99_us,
                        reference.added_latency->p99_us);
  }
  if (target.added_first_byte && reference.added_first_byte) {
    c.has_first_byte = true;
    c.added_first_byte_p50 = ratio(target.added_first_byte->p50_us,
                                   reference.added_first_byte->p50_us);
    c.added_first_byte_p99 = ratio(target.added_first_byte->p99_us,
                                   reference.added_first_byte->p99_us);
  }
  return c;
}

gateway_bench_result run_gateway_bench(const gateway_bench_options& o) {
  gateway_bench_result r;
  r.options = o;
  std::vector<std::string> bodies;
  if (!o.body_file.empty()) {
    if (!read_body(o.body_file, bodies, r.error))
      return r;
  } else {
    bodies = builtin_request_mix(o.stream
                                 || o.mode == load_mode::concurrent_streams);
  }
  auto baseline_bodies = bodies;
  if (!o.baseline_body_file.empty()) {
    baseline_bodies.clear();
    if (!read_body(o.baseline_body_file, baseline_bodies, r.error))
      return r;
  }
  if (!o.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.data_dir, ec);
    if (ec) {
      r.error = "cannot create " + o.data_dir + ": " + ec.message();
      return r;
    }
  }
  r.mix_size = bodies.size();
  target_processes procs;
  if (auto why = procs.start(o); !why.empty()) {
    r.error = why;
    return r;
  }
  r.store_dir = procs.store_dir();
  if (procs.store_is_temporary())
    r.store_dir += " (temporary)";
  if (const auto* nginx = procs.nginx()) {
    r.nginx_version = nginx->version();
    r.nginx_directives = nginx->directives();
  }
  struct watched {
    const child_process* proc;
    process_memory* memory;
  };
  std::vector<watched> gateways{
    {procs.process_of("gateway"), &r.memory},
    {procs.process_of("baseline"), &r.baseline_memory},
    {procs.process_of("no-store"), &r.no_store_memory},
    {procs.process_of("tracing"), &r.tracing_memory}};
  for (auto& g : gateways)
    if (g.proc != nullptr)
      g.memory->idle = g.proc->rss_bytes();
  bench_run run{o, r, procs};
  if (!run.make_targets(bodies, baseline_bodies)) {
    r.error = "nothing to load";
    return r;
  }
  {
    std::vector<std::unique_ptr<rss_sampler>> samplers;
    for (auto& g : gateways)
      samplers.push_back(std::make_unique<rss_sampler>(
        g.proc, o.memory_interval_s, g.memory->samples));
    run.run();
  }
  for (auto& g : gateways)
    finish_memory(*g.memory, g.proc);
  if (const auto* c = procs.collector()) {
    r.tracing_exports = c->requests();
    r.tracing_spans = c->spans();
  }
  return r;
}

} // namespace switchyard::bench
