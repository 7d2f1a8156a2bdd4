#include "route_command.hpp"

#include "command_line.hpp"
#include "engine_bench.hpp"

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/messages/error_code.hpp"

#include <cstdio>
#include <iostream>

namespace switchyard::cli {

int run_bench_command(const std::vector<std::string>& args) {
  command_line cl{"bench",
                  "switchyard bench engine [--seconds S] [--samples N] "
                  "[--config F] [--json]\n\n"
                  "engine: classify + estimate + filter + score + select on "
                  "one thread over a fixed task mix;\nreports decisions/s and "
                  "per-decision latency percentiles.",
                  {
                    {"seconds", true, "throughput phase length (default 3)"},
                    {"samples", true, "decisions timed one by one (default 200000)"},
                    {"config", true, "registry YAML (default: built-in)"},
                    {"json", false, "print JSON"},
                  }};
  if (!cl.parse(args)) {
    std::cerr << "switchyard bench: " << cl.error() << "\n";
    return 2;
  }
  if (cl.has("help")) {
    std::cout << cl.help();
    return 0;
  }
  const auto& pos = cl.positional();
  if (pos.size() != 1 || pos[0] != "engine") {
    std::cerr << "switchyard bench: expected `switchyard bench engine` (see "
                 "--help)\n";
    return 2;
  }
  auto seconds = cl.number("seconds").value_or(3.0);
  auto samples = cl.integer("samples").value_or(200'000);
  if (!cl.error().empty()) {
    std::cerr << "switchyard bench: " << cl.error() << "\n";
    return 2;
  }
  if (seconds <= 0 || samples < 1) {
    std::cerr << "switchyard bench: --seconds and --samples must be positive\n";
    return 2;
  }
  auto reg = config::load_registry(cl.value("config").value_or(""));
  if (!reg) {
    std::cerr << error_message(reg.error()) << "\n";
    return 2;
  }
  auto r = bench::run_engine_bench(*reg, seconds,
                                   static_cast<std::uint64_t>(samples));
  if (cl.has("json")) {
    std::cout << bench::to_json(r) << "\n";
    return 0;
  }
  std::printf("engine benchmark: %zu models, %zu-task mix, one thread\n",
              r.models, r.workload_tasks);
  std::printf("  throughput: %.0f decisions/s (%llu in %.2f s)\n",
              r.decisions_per_second,
              static_cast<unsigned long long>(r.decisions), r.seconds);
  std::printf("  latency:    p50 %.2f us  p90 %.2f us  p99 %.2f us  max %.1f us\n",
              r.p50_us, r.p90_us, r.p99_us, r.max_us);
  return 0;
}

} // namespace switchyard::cli
