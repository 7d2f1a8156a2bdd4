// The machine-readable reports of `bench gateway`: JSON, CSV and an SVG plot.
#include "gateway_bench.hpp"

#include "svg_plot.hpp"
#include "switchyard/engine/json_writer.hpp"

#include <algorithm>
#include <cstdio>

namespace switchyard::bench {

namespace {

void write_summary(engine::json_writer& w, const latency_summary& s) {
  w.begin_object();
  w.field("count", s.count);
  w.field("p50", s.p50_us);
  w.field("p90", s.p90_us);
  w.field("p99", s.p99_us);
  w.field("p99_9", s.p99_9_us);
  w.field("max", s.max_us);
  w.field("mean", s.mean_us);
  w.end_object();
}

/// A process's memory as `key`: {idle_rss_mb, peak_rss_mb, after_rss_mb,
/// growth_mb, samples: [[seconds, MB], ...]}; nothing when not sampled.
void write_memory(engine::json_writer& w, const char* key,
                  const process_memory& m) {
  if (m.idle == 0)
    return;
  w.key(key).begin_object();
  w.field("idle_rss_mb", mb(m.idle));
  w.field("peak_rss_mb", mb(m.peak));
  w.field("after_rss_mb", mb(m.after));
  w.field("growth_mb", static_cast<double>(m.growth) / (1024.0 * 1024.0));
  w.key("samples").begin_array();
  for (const auto& sample : m.samples) {
    w.begin_array();
    w.value(sample.seconds);
    w.value(mb(sample.rss));
    w.end_array();
  }
  w.end_array();
  w.end_object();
}

void write_comparison(engine::json_writer& w, const target_comparison& c) {
  w.begin_object();
  w.field("target", std::string_view{c.target});
  w.field("reference", std::string_view{c.reference});
  w.field("throughput", c.throughput);
  w.field("completed", c.completed);
  w.field("p50", c.p50);
  w.field("p99", c.p99);
  if (c.has_added) {
    w.field("added_p50", c.added_p50);
    w.field("added_p99", c.added_p99);
  }
  if (c.has_first_byte) {
    w.field("added_first_byte_p50", c.added_first_byte_p50);
    w.field("added_first_byte_p99", c.added_first_byte_p99);
  }
  w.end_object();
}

const char* mode_name(const gateway_bench_options& o) {
  switch (o.mode) {
    case load_mode::closed_loop: return "closed_loop";
    case load_mode::concurrent_streams: return "concurrent_streams";
    case load_mode::open_loop: break;
  }
  return o.rates.size() > 1 ? "sweep" : "fixed";
}

void knee(engine::json_writer& w, const char* name, double rate) {
  w.key(name);
  rate > 0 ? w.value(rate) : w.null();
}

} // namespace

std::string to_json(const gateway_bench_result& r) {
  std::string out;
  engine::json_writer w{out};
  const auto& o = r.options;
  w.begin_object();
  w.field("bench", "gateway");
  if (!r.error.empty())
    w.field("error", std::string_view{r.error});
  w.field("mode", mode_name(o));
  w.field("compare", o.compare);
  w.field("compare_store", o.compare_store);
  w.field("compare_tracing", o.compare_tracing);
  if (o.compare_tracing) {
    w.key("tracing_collector").begin_object();
    w.field("exports", r.tracing_exports);
    w.field("spans", r.tracing_spans);
    w.end_object();
  }
  if (!r.store_dir.empty())
    w.field("store_dir", std::string_view{r.store_dir});
  w.field("open_file_limit", r.options.open_file_limit);
  if (!r.nginx_directives.empty()) {
    w.key("nginx").begin_object();
    w.field("binary", std::string_view{o.nginx_binary});
    w.field("version", std::string_view{r.nginx_version});
    w.field("config", std::string_view{r.nginx_directives});
    w.end_object();
  }
  w.field("upstream_only", o.upstream_only);
  w.field("stream", o.stream);
  w.field("connections", static_cast<std::uint64_t>(o.connections));
  w.field("duration_s", o.duration_s);
  w.field("warmup_s", o.warmup_s);
  w.field("mix", o.body_file.empty() ? std::string{"builtin"} : o.body_file);
  w.field("mix_size", static_cast<std::uint64_t>(r.mix_size));
  w.field("p99_limit_ms", o.p99_limit_ms);
  w.field("latency_unit", "us");
  w.key("steps").begin_array();
  for (const auto& s : r.steps) {
    w.begin_object();
    w.field("rate", s.rate);
    if (o.mode == load_mode::closed_loop)
      w.field("connections", static_cast<std::uint64_t>(s.concurrency));
    if (o.mode == load_mode::concurrent_streams)
      w.field("streams", static_cast<std::uint64_t>(s.concurrency));
    w.field("max_schedule_lag_us", s.max_schedule_lag_us);
    if (s.gateway_rss != 0)
      w.field("gateway_rss_mb", mb(s.gateway_rss));
    if (s.baseline_rss != 0)
      w.field("baseline_rss_mb", mb(s.baseline_rss));
    if (s.no_store_rss != 0)
      w.field("no_store_rss_mb", mb(s.no_store_rss));
    if (s.tracing_rss != 0)
      w.field("tracing_rss_mb", mb(s.tracing_rss));
    w.key("targets").begin_array();
    for (const auto& t : s.targets) {
      w.begin_object();
      w.field("name", std::string_view{t.name});
      w.field("requests", t.requests);
      w.field("answered", t.answered);
      w.field("errors_total", t.error_total());
      w.key("errors").begin_object();
      for (std::size_t i = 0; i < load_error_count; ++i)
        w.field(to_string(static_cast<load_error>(i)), t.errors[i]);
      w.end_object();
      w.field("achieved_rate", t.achieved_rate);
      w.field("sustained", t.sustained);
      if (t.cpu_us_per_request > 0)
        w.field("cpu_us_per_request", t.cpu_us_per_request);
      w.key("latency_us");
      write_summary(w, t.latency);
      w.key("first_byte_us");
      write_summary(w, t.first_byte);
      if (t.added_latency) {
        w.key("added_latency_us");
        write_summary(w, *t.added_latency);
      }
      if (t.added_first_byte) {
        w.key("added_first_byte_us");
        write_summary(w, *t.added_first_byte);
      }
      w.end_object();
    }
    w.end_array();
    if (s.added_latency) {
      w.key("added_latency_us");
      write_summary(w, *s.added_latency);
    }
    if (s.added_first_byte) {
      w.key("added_first_byte_us");
      write_summary(w, *s.added_first_byte);
    }
    if (s.baseline_added_latency) {
      w.key("baseline_added_latency_us");
      write_summary(w, *s.baseline_added_latency);
    }
    if (s.baseline_added_first_byte) {
      w.key("baseline_added_first_byte_us");
      write_summary(w, *s.baseline_added_first_byte);
    }
    w.key("comparisons").begin_array();
    for (const auto& c : s.comparisons)
      write_comparison(w, c);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("knee").begin_object();
  knee(w, "gateway", r.gateway_knee);
  knee(w, "upstream", r.upstream_knee);
  if (!o.baseline_binary.empty())
    knee(w, "baseline", r.baseline_knee);
  if (o.compare_store)
    knee(w, "no_store", r.no_store_knee);
  if (o.compare_tracing)
    knee(w, "tracing", r.tracing_knee);
  if (!o.reference.empty())
    knee(w, "nginx", r.nginx_knee);
  w.key("gateway_over_upstream");
  r.gateway_knee > 0 && r.upstream_knee > 0
    ? w.value(r.gateway_knee / r.upstream_knee)
    : w.null();
  w.end_object();
  write_memory(w, "memory", r.memory);
  write_memory(w, "baseline_memory", r.baseline_memory);
  write_memory(w, "no_store_memory", r.no_store_memory);
  write_memory(w, "tracing_memory", r.tracing_memory);
  w.end_object();
  return out;
}

std::string to_csv(const gateway_bench_result& r) {
  std::string out = "rate,target,requests,answered,errors,achieved_rate,"
                    "p50_us,p90_us,p99_us,p99_9_us,max_us,first_byte_p50_us,"
                    "first_byte_p99_us,sustained,concurrency\n";
  char line[512];
  for (const auto& s : r.steps)
    for (const auto& t : s.targets) {
      std::snprintf(line, sizeof(line),
                    "%.0f,%s,%llu,%llu,%llu,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,"
                    "%.1f,%.1f,%s,%zu\n",
                    s.rate, t.name.c_str(),
                    static_cast<unsigned long long>(t.requests),
                    static_cast<unsigned long long>(t.answered),
                    static_cast<unsigned long long>(t.error_total()),
                    t.achieved_rate, t.latency.p50_us, t.latency.p90_us,
                    t.latency.p99_us, t.latency.p99_9_us, t.latency.max_us,
                    t.first_byte.p50_us, t.first_byte.p99_us,
                    t.sustained ? "true" : "false", s.concurrency);
      out += line;
    }
  return out;
}

std::string to_svg(const gateway_bench_result& r) {
  // Open loop: against the offered rate; else against the concurrency.
  auto x_of = [](const gateway_bench_step& s) {
    return s.rate > 0 ? s.rate : static_cast<double>(s.concurrency);
  };
  double rate_max = 1;
  double lat_min = 1e9;
  double lat_max = 1;
  for (const auto& s : r.steps) {
    rate_max = std::max(rate_max, x_of(s));
    for (const auto& t : s.targets) {
      if (t.latency.count == 0)
        continue;
      lat_min = std::min(lat_min, t.latency.p50_us);
      lat_max = std::max(lat_max, t.latency.p99_9_us);
    }
  }
  if (lat_min >= lat_max)
    lat_min = lat_max / 10;
  svg_plot::axis x{r.options.mode == load_mode::open_loop
                     ? "offered rate per target (requests/s)"
                     : r.options.mode == load_mode::closed_loop
                       ? "connections per target (closed loop)"
                       : "concurrent streams per target",
                   0, rate_max * 1.05};
  svg_plot::axis y{"latency from intended send (us, log)",
                   std::max(1.0, lat_min / 1.5), lat_max * 1.5, true};
  svg_plot plot{std::string{"switchyard bench gateway"}
                  + (r.options.stream ? " (streaming)" : "")
                  + ": latency percentiles against rate",
                x, y};
  struct series {
    const char* target;
    const char* which;
    const char* color;
    const char* dash;
  };
  for (auto [target, which, color, dash] :
       {series{"gateway", "p50", "#1f6fd1", ""},
        series{"gateway", "p99", "#d1491f", ""},
        series{"gateway", "p99.9", "#7a1fd1", ""},
        series{"upstream", "p50", "#1f6fd1", "6 4"},
        series{"upstream", "p99", "#d1491f", "6 4"},
        series{"upstream", "p99.9", "#7a1fd1", "6 4"},
        series{"baseline", "p50", "#1f6fd1", "1 3"},
        series{"baseline", "p99", "#d1491f", "1 3"},
        series{"baseline", "p99.9", "#7a1fd1", "1 3"}}) {
    svg_plot::points pts;
    for (const auto& s : r.steps)
      for (const auto& t : s.targets)
        if (t.name == target && t.latency.count > 0)
          pts.emplace_back(x_of(s), std::string_view{which} == "p50"
                                     ? t.latency.p50_us
                                   : std::string_view{which} == "p99"
                                     ? t.latency.p99_us
                                     : t.latency.p99_9_us);
    if (pts.empty())
      continue;
    plot.line(pts, color, 2.0, dash, true);
  }
  plot.line({{0, r.options.p99_limit_ms * 1000.0},
             {rate_max * 1.05, r.options.p99_limit_ms * 1000.0}},
            "#999", 1.0, "2 3");
  plot.legend_at(90, 70);
  plot.legend("p50", "#1f6fd1");
  plot.legend("p99", "#d1491f");
  plot.legend("p99.9", "#7a1fd1");
  plot.legend("solid: gateway, dashed: upstream, dotted: baseline", "#333",
              "6 4");
  plot.legend("p99 limit of the knee", "#999", "2 3");
  return plot.str();
}

} // namespace switchyard::bench
