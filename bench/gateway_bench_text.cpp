// The text report of `bench gateway`: what a person reads after a run.
#include "gateway_bench.hpp"

#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace switchyard::bench {

namespace {

/// printf onto `out`.
[[gnu::format(printf, 2, 3)]] void print(std::string& out, const char* fmt,
                                         ...) {
  char line[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(line, sizeof(line), fmt, args);
  va_end(args);
  out += line;
}

/// "0.93x", or "n/a" for a ratio that has no meaning.
std::string times(double ratio) {
  if (!std::isfinite(ratio))
    return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fx", ratio);
  return buf;
}

void header(std::string& out, const gateway_bench_result& r) {
  const auto& o = r.options;
  const char* mix = o.body_file.empty() ? "built-in" : o.body_file.c_str();
  switch (o.mode) {
    case load_mode::open_loop:
      print(out,
            "gateway benchmark: open loop, %zu connections per target, "
            "%.1f s per step, %s mix (%zu bodies)%s%s\n",
            o.connections, o.duration_s, mix, r.mix_size,
            o.stream ? ", streaming" : "",
            o.compare ? ", interleaved with the upstream" : "");
      break;
    case load_mode::closed_loop:
      print(out,
            "gateway benchmark: closed loop (each connection sends its next "
            "request when answered, as wrk), %.1f s per target and step in "
            "slices of up to 1 s taken in turn, %s mix (%zu bodies)%s\n",
            o.duration_s, mix, r.mix_size, o.stream ? ", streaming" : "");
      break;
    case load_mode::concurrent_streams:
      print(out,
            "gateway benchmark: concurrent streams (each on its own "
            "connection, all sent at once, one target after the other), %s "
            "mix (%zu bodies), timeout %.0f s; open-file limit %llu\n",
            mix, r.mix_size, o.timeout_s,
            static_cast<unsigned long long>(r.options.open_file_limit));
      break;
  }
  if (!r.store_dir.empty())
    print(out, "  gateway's store: %s%s\n", r.store_dir.c_str(),
          o.compare_store ? "; no-store: the same binary without one" : "");
  if (o.compare_tracing)
    print(out,
          "  gateway: tracing off; tracing: the same binary exporting every "
          "span to a local OTLP/HTTP collector (%llu spans in %llu exports "
          "received)\n",
          static_cast<unsigned long long>(r.tracing_spans),
          static_cast<unsigned long long>(r.tracing_exports));
}

void step_title(std::string& out, const gateway_bench_options& o,
                const gateway_bench_step& s) {
  switch (o.mode) {
    case load_mode::open_loop:
      print(out, "  %.0f req/s per target (generator lag max %.0f us):\n",
            s.rate, s.max_schedule_lag_us);
      break;
    case load_mode::closed_loop:
      print(out, "  closed loop, %zu connection%s per target:\n",
            s.concurrency, s.concurrency == 1 ? "" : "s");
      break;
    case load_mode::concurrent_streams:
      print(out, "  %zu concurrent streams per target:\n", s.concurrency);
      break;
  }
}

void target_lines(std::string& out, const gateway_bench_options& o,
                  const gateway_target_step& t) {
  bool streams = o.mode == load_mode::concurrent_streams;
  if (streams)
    print(out,
          "    %-8s completed %llu of %llu  stream p50 %8.1f  p99 %8.1f  max "
          "%9.1f ms\n",
          t.name.c_str(), static_cast<unsigned long long>(t.answered),
          static_cast<unsigned long long>(t.requests), t.latency.p50_us / 1e3,
          t.latency.p99_us / 1e3, t.latency.max_us / 1e3);
  else
    print(out,
          "    %-8s achieved %8.0f/s  p50 %8.1f  p90 %8.1f  p99 %8.1f"
          "  p99.9 %8.1f  max %9.1f us  errors %llu%s\n",
          t.name.c_str(), t.achieved_rate, t.latency.p50_us, t.latency.p90_us,
          t.latency.p99_us, t.latency.p99_9_us, t.latency.max_us,
          static_cast<unsigned long long>(t.error_total()),
          t.sustained || o.rates.size() < 2 || o.mode != load_mode::open_loop
            ? ""
            : "  (past the knee)");
  if (t.cpu_us_per_request > 0)
    print(out, "             CPU %.1f us per request (all its threads)\n",
          t.cpu_us_per_request);
  if (streams)
    print(out,
          "             first byte  p50 %8.1f  p99 %8.1f  p99.9 %8.1f ms\n",
          t.first_byte.p50_us / 1e3, t.first_byte.p99_us / 1e3,
          t.first_byte.p99_9_us / 1e3);
  else if (o.stream)
    print(out,
          "             first byte  p50 %8.1f  p99 %8.1f  p99.9 %8.1f us\n",
          t.first_byte.p50_us, t.first_byte.p99_us, t.first_byte.p99_9_us);
  for (std::size_t i = 0; i < load_error_count; ++i)
    if (t.errors[i] > 0)
      print(out, "             %s: %llu\n",
            std::string{to_string(static_cast<load_error>(i))}.c_str(),
            static_cast<unsigned long long>(t.errors[i]));
}

/// Streams take seconds: their figures read better in ms.
void added_lines(std::string& out, const gateway_bench_options& o,
                 const gateway_target_step& t) {
  bool ms = o.mode == load_mode::concurrent_streams;
  double scale = ms ? 1e-3 : 1.0;
  const char* unit = ms ? "ms" : "us";
  if (t.added_latency)
    print(out,
          "    added by %-8s p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f %s\n",
          t.name.c_str(), t.added_latency->p50_us * scale,
          t.added_latency->p90_us * scale, t.added_latency->p99_us * scale,
          t.added_latency->p99_9_us * scale, unit);
  if (t.added_first_byte)
    print(out, "    %-8s added time to first byte: p50 %.1f  p99 %.1f %s\n",
          t.name.c_str(), t.added_first_byte->p50_us * scale,
          t.added_first_byte->p99_us * scale, unit);
}

void comparison_line(std::string& out, const gateway_bench_options& o,
                     const target_comparison& c) {
  std::string text = "    " + c.target + " / " + c.reference + ":";
  if (o.mode == load_mode::concurrent_streams) {
    text += " completed " + times(c.completed);
    if (c.has_first_byte)
      text += ", added first byte p50 " + times(c.added_first_byte_p50)
              + ", p99 " + times(c.added_first_byte_p99);
  } else {
    text += " throughput " + times(c.throughput) + ", p50 " + times(c.p50)
            + ", p99 " + times(c.p99);
    if (c.has_added)
      text += ", added p50 " + times(c.added_p50) + ", added p99 "
              + times(c.added_p99);
  }
  out += text + "\n";
}

void knees(std::string& out, const gateway_bench_result& r) {
  const auto& o = r.options;
  if (o.mode != load_mode::open_loop || o.rates.size() < 2)
    return;
  print(out, "  knee (p99 < %.1f ms, < 1%% errors): gateway %.0f/s",
        o.p99_limit_ms, r.gateway_knee);
  if (o.compare || !o.reference.empty()) {
    print(out, ", upstream %.0f/s", r.upstream_knee);
    if (r.upstream_knee > 0)
      print(out, " (ratio %.2f)", r.gateway_knee / r.upstream_knee);
  }
  if (!o.baseline_binary.empty())
    print(out, ", baseline %.0f/s", r.baseline_knee);
  if (o.compare_store)
    print(out, ", no-store %.0f/s", r.no_store_knee);
  if (o.compare_tracing)
    print(out, ", tracing %.0f/s", r.tracing_knee);
  if (!o.reference.empty())
    print(out, ", nginx %.0f/s", r.nginx_knee);
  out += "\n";
}

void memory_line(std::string& out, const char* who, const process_memory& m) {
  if (m.idle == 0)
    return;
  print(out,
        "  %s RSS: idle %.1f MB, peak %.1f MB under load, %.1f MB after; "
        "growth %.1f MB (last quarter vs second)\n",
        who, mb(m.idle), mb(m.peak), mb(m.after),
        static_cast<double>(m.growth) / (1024.0 * 1024.0));
}

} // namespace

std::string to_text(const gateway_bench_result& r) {
  std::string out;
  const auto& o = r.options;
  header(out, r);
  for (const auto& s : r.steps) {
    step_title(out, o, s);
    for (const auto& t : s.targets)
      target_lines(out, o, t);
    for (const auto& t : s.targets)
      added_lines(out, o, t);
    for (const auto& c : s.comparisons)
      comparison_line(out, o, c);
  }
  knees(out, r);
  memory_line(out, "gateway", r.memory);
  memory_line(out, "no-store", r.no_store_memory);
  memory_line(out, "tracing", r.tracing_memory);
  memory_line(out, "baseline", r.baseline_memory);
  if (!r.nginx_directives.empty()) {
    print(out, "  nginx reference: %s (%s), configured as:\n",
          o.nginx_binary.c_str(), r.nginx_version.c_str());
    std::size_t at = 0;
    while (at < r.nginx_directives.size()) {
      auto nl = r.nginx_directives.find('\n', at);
      if (nl == std::string::npos)
        nl = r.nginx_directives.size();
      out += "    " + r.nginx_directives.substr(at, nl - at) + "\n";
      at = nl + 1;
    }
  }
  return out;
}

} // namespace switchyard::bench
