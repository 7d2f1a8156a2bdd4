#include "dashboard_bench_command.hpp"

#include "command_line.hpp"
#include "dashboard_bench.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace switchyard::cli {

int run_dashboard_bench_command(const std::vector<std::string>& args) {
  command_line cl{
    "bench dashboard",
    "switchyard bench dashboard [--decisions N] [--days D] [--requests N] "
    "[--warmup N] [--json]\n\n"
    "Writes N logged decisions (default 100000; the built-in registry's own "
    "routing\ndecisions over a fixed task mix) spread over the last D days "
    "(default 29) into a\nfresh store through the storage API, starts "
    "`switchyard serve` on it, signs in to\n/ui and times, on one keep-alive "
    "connection, --requests (default 50) GETs each\nof: the first and a deep "
    "page of /v1/decisions?limit=50, /v1/analytics/spend\nwith minute, hour "
    "and day buckets, and the /ui page load (the page, its scripts\nand "
    "styles, and the first decisions page it polls). Reports p50/p99/max in "
    "ms.",
    {
      {"decisions", takes::integer, "decisions in the store (default 100000)"},
      {"days", takes::number,
       "spread over this many days before now (default 29)"},
      {"requests", takes::integer, "timed requests per endpoint (default 50)"},
      {"warmup", takes::integer, "untimed requests first (default 3)"},
      {"json", takes::nothing, "print JSON"},
    }};
  if (auto done = cl.parse_or_exit(args, "switchyard bench dashboard"))
    return *done;
  bench::dashboard_bench_options o;
  auto decisions = cl.integer("decisions").value_or(100'000);
  auto days = cl.number("days").value_or(29.0);
  auto requests = cl.integer("requests").value_or(50);
  auto warmup = cl.integer("warmup").value_or(3);
  if (decisions < 20 || days <= 0 || days > 29.5 || requests < 1
      || warmup < 0) {
    std::cerr << "switchyard bench dashboard: --decisions must be at least "
                 "20, --days in (0, 29.5] (the log keeps 30 days), "
                 "--requests positive\n";
    return 2;
  }
  o.decisions = static_cast<std::uint64_t>(decisions);
  o.days = days;
  o.requests = static_cast<unsigned>(requests);
  o.warmup = static_cast<unsigned>(warmup);
  std::error_code ec;
  o.binary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  auto r = bench::run_dashboard_bench(o);
  if (!r.error.empty()) {
    std::cerr << "switchyard bench dashboard: " << r.error << "\n";
    return 1;
  }
  if (cl.has("json")) {
    std::cout << bench::to_json(r) << "\n";
    return 0;
  }
  std::printf("dashboard benchmark: %llu decisions over %.1f days, written "
              "in %.2f s; serve started in %.2f s\n",
              static_cast<unsigned long long>(r.decisions), r.days,
              r.fill_seconds, r.startup_seconds);
  std::printf("  %-58s %9s %9s %9s %10s\n", "GET", "p50 ms", "p99 ms",
              "max ms", "bytes");
  for (const auto& e : r.endpoints)
    std::printf("  %-58s %9.2f %9.2f %9.2f %10llu\n", e.name.c_str(),
                e.p50_ms, e.p99_ms, e.max_ms,
                static_cast<unsigned long long>(e.body_bytes));
  return 0;
}

} // namespace switchyard::cli
