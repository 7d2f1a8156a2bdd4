#include "route_command.hpp"

#include "command_line.hpp"
#include "dashboard_bench_command.hpp"
#include "engine_bench.hpp"
#include "gateway_bench_command.hpp"
#include "quality_bench_command.hpp"
#include "runtime_bench.hpp"
#include "storage_bench.hpp"

#if SWITCHYARD_HAS_ADAPTERS_BENCH
#include "adapters_bench.hpp"
#endif

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/messages/error_code.hpp"

#include <cstdio>
#include <iostream>

namespace switchyard::cli {

#if SWITCHYARD_HAS_ADAPTERS_BENCH
namespace {

void print_arm(const char* name, const bench::adapters_arm_result& a) {
  std::printf("    %-9s %9.0f req/s   p50 %7.1f us  p90 %7.1f us  p99 %7.1f "
              "us\n",
              name, a.requests_per_second, a.p50_us, a.p90_us, a.p99_us);
}

void print_mode(const char* name, const bench::adapters_mode_result& m) {
  std::printf("  %s:\n", name);
  print_arm("raw Beast", m.raw);
  print_arm("adapter", m.adapter);
  std::printf("    added latency: p50 %.1f us, p99 %.1f us; throughput "
              "ratio %.2f",
              m.added_p50_us, m.added_p99_us, m.throughput_ratio);
  if (m.failures > 0)
    std::printf("; %llu FAILED requests",
                static_cast<unsigned long long>(m.failures));
  std::printf("\n");
}

int run_adapters_bench_command(const command_line& cl) {
  bench::adapters_bench_options opts;
  auto requests = cl.integer("requests");
  auto warmup = cl.integer("warmup");
  if ((requests && *requests < 1) || (warmup && *warmup < 0)) {
    std::cerr << "switchyard bench: --requests must be positive and "
                 "--warmup not negative\n";
    return 2;
  }
  if (requests)
    opts.requests = static_cast<std::uint64_t>(*requests);
  if (warmup)
    opts.warmup = static_cast<std::uint64_t>(*warmup);
  auto r = bench::run_adapters_bench(opts);
  if (!r.error.empty()) {
    std::cerr << "switchyard bench adapters: " << r.error << "\n";
    return 1;
  }
  if (cl.has("json")) {
    std::cout << bench::to_json(r) << "\n";
  } else {
    std::printf("adapters benchmark: OpenAI chat completion, %u output "
                "tokens (%u bytes plain, %u streamed),\n%llu sequential "
                "requests per arm on one keep-alive loopback connection, "
                "sim-upstream at zero delay in process\n",
                r.output_tokens, r.response_bytes_plain,
                r.response_bytes_stream,
                static_cast<unsigned long long>(r.requests));
    print_mode("plain", r.plain);
    print_mode("stream", r.stream);
  }
  return r.plain.failures + r.stream.failures == 0 ? 0 : 1;
}

} // namespace
#endif

namespace {

void print_runtime_mode(const char* build, const bench::runtime_mode_result& m) {
  std::printf("  %-14s%s max %8.0f tasks/s | at %7.0f/s: p50 %6.1f us  p90 "
              "%6.1f us  p99 %7.1f us  max %8.1f us  (from intended send: "
              "p50 %.1f us, p99 %.1f us)  errors %llu\n",
              m.mode.c_str(), build, m.max_tasks_per_second, m.paced_rate,
              m.p50_us, m.p90_us, m.p99_us, m.max_us, m.intended_p50_us,
              m.intended_p99_us, static_cast<unsigned long long>(m.errors));
}

double ratio(double x, double y) {
  return y > 0.0 ? x / y : 0.0;
}

int print_runtime_baseline(const bench::runtime_baseline_result& r,
                           bool json) {
  if (json)
    std::cout << bench::to_json(r) << "\n";
  if (!r.error.empty()) {
    std::cerr << "switchyard bench runtime: " << r.error << "\n";
    return 1;
  }
  if (json)
    return 0;
  const auto& c = r.current_median;
  std::printf("runtime benchmark, this build against %s: %u scheduler "
              "threads (%s), instant in-process provider, success predictor "
              "%s, single-call tasks;\nmedians of %zu runs each, taking "
              "turns; both paced at %.0f tasks/s\n",
              r.binary.c_str(), c.threads, c.scheduler.c_str(),
              c.success_predictor ? "on" : "off", r.current.size(),
              r.paced_rate);
  for (auto mode :
       {&bench::runtime_bench_result::route,
        &bench::runtime_bench_result::execute}) {
    const auto& now = r.current_median.*mode;
    const auto& base = r.baseline_median.*mode;
    print_runtime_mode(" this    ", now);
    print_runtime_mode(" baseline", base);
    std::printf("  %-14s this / baseline: max tasks/s %.2fx, p50 %.2fx, p99 "
                "%.2fx\n",
                now.mode.c_str(),
                ratio(now.max_tasks_per_second, base.max_tasks_per_second),
                ratio(now.p50_us, base.p50_us), ratio(now.p99_us, base.p99_us));
  }
  return 0;
}

int print_runtime_plans(const bench::runtime_plans_result& r, bool json) {
  if (json)
    std::cout << bench::to_json(r) << "\n";
  if (!r.error.empty()) {
    std::cerr << "switchyard bench runtime: " << r.error << "\n";
    return 1;
  }
  if (json)
    return 0;
  std::printf("runtime benchmark, execution plans: %u scheduler threads (%s), "
              "instant in-process provider, success predictor %s, route + "
              "execute\n",
              r.threads, r.scheduler.c_str(),
              r.success_predictor ? "on" : "off");
  for (const auto& p : r.plans) {
    std::printf("  %-12s %8.0f tasks/s (%6.1f us/task)  %.2f steps/task  "
                "%.2f calls/task | at %6.0f/s: p50 %6.1f us  p99 %7.1f us  "
                "errors %llu\n",
                std::string{engine::to_string(p.plan)}.c_str(),
                p.tasks_per_second, p.us_per_task, p.steps_per_task,
                p.calls_per_task,
                p.paced_rate, p.p50_us, p.p99_us,
                static_cast<unsigned long long>(p.errors));
  }
  const auto& single = r.plans.front();
  for (const auto& p : r.plans) {
    if (p.plan == engine::plan_kind::single)
      continue;
    std::printf("  %-12s / single: %.2fx tasks/s; overhead per extra step: "
                "%.1f us of closed-loop time per task, %.1f us of p50\n",
                std::string{engine::to_string(p.plan)}.c_str(),
                ratio(p.tasks_per_second, single.tasks_per_second),
                p.overhead_per_step_us, p.p50_overhead_per_step_us);
  }
  std::printf("  (overhead per extra step = (plan's figure - single's) / "
              "(plan's steps/task - single's), same run)\n");
  return 0;
}

int run_runtime_bench_command(const command_line& cl) {
  auto seconds = cl.number("seconds").value_or(3.0);
  auto threads = cl.integer("threads").value_or(2);
  auto rate = cl.number("rate").value_or(0.0);
  auto scheduler = cl.value("scheduler").value_or("stealing");
  auto rounds = cl.integer("rounds").value_or(3);
  if (seconds <= 0 || threads < 1 || threads > 256 || rate < 0
      || (scheduler != "sharing" && scheduler != "stealing") || rounds < 1
      || rounds > 100) {
    std::cerr << "switchyard bench runtime: --seconds must be positive, "
                 "--threads 1-256, --rate >= 0, --scheduler sharing or "
                 "stealing, --rounds 1-100\n";
    return 2;
  }
  bench::runtime_bench_options opts;
  opts.seconds = seconds;
  opts.threads = static_cast<unsigned>(threads);
  opts.paced_rate = rate;
  opts.work_stealing = scheduler == "stealing";
  opts.success_predictor = !cl.has("no-predictor");
  auto baseline = cl.value("baseline");
  auto plan = cl.value("plan");
  if (baseline && plan) {
    std::cerr << "switchyard bench runtime: --baseline compares single-call "
                 "tasks; run --plan on its own\n";
    return 2;
  }
  if (plan) {
    std::vector<engine::plan_kind> kinds;
    std::string_view rest{*plan};
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto name = rest.substr(0, comma);
      auto kind = engine::plan_kind_from(name);
      if (!kind) {
        std::cerr << "switchyard bench runtime: --plan: unknown plan '"
                  << name << "'; expected chain, specialists or critic, "
                  "comma-separated\n";
        return 2;
      }
      kinds.push_back(*kind);
      rest = comma == std::string_view::npos ? std::string_view{}
                                             : rest.substr(comma + 1);
    }
    return print_runtime_plans(bench::run_runtime_plans_bench(opts, kinds),
                               cl.has("json"));
  }
  if (baseline)
    return print_runtime_baseline(
      bench::run_runtime_baseline(opts, *baseline,
                                  static_cast<unsigned>(rounds)),
      cl.has("json"));
  auto r = bench::run_runtime_bench(opts);
  if (!r.error.empty()) {
    std::cerr << "switchyard bench runtime: " << r.error << "\n";
    return 1;
  }
  if (cl.has("json")) {
    std::cout << bench::to_json(r) << "\n";
    return 0;
  }
  std::printf("runtime benchmark: %u scheduler threads (%s), instant "
              "in-process provider, success predictor %s, single-call "
              "tasks\n",
              r.threads, r.scheduler.c_str(),
              r.success_predictor ? "on" : "off");
  for (const auto* m : {&r.route, &r.execute})
    print_runtime_mode("", *m);
  return 0;
}

void print_op(const char* name, const bench::storage_op_result& o) {
  std::printf("  %-34s %9.0f /s   p50 %7.1f us  p99 %7.1f us  p99.9 %7.1f us  "
              "max %8.1f us  (%llu)\n",
              name, o.per_second, o.p50_us, o.p99_us, o.p999_us, o.max_us,
              static_cast<unsigned long long>(o.operations));
}

int run_storage_bench_command(const command_line& cl) {
  bench::storage_bench_options opts;
  auto count = cl.integer("count");
  auto in_flight = cl.integer("in-flight");
  if ((count && *count < 1) || (in_flight && (*in_flight < 1 || *in_flight > 65536))) {
    std::cerr << "switchyard bench storage: --count must be positive and "
                 "--in-flight 1-65536\n";
    return 2;
  }
  if (count) {
    // One scale for every phase, in the default proportions.
    auto n = static_cast<std::uint64_t>(*count);
    opts.sequential_feedback = n;
    opts.synced_decisions = n;
    opts.group_feedback = 25 * n;
    opts.decisions = 10 * n;
    opts.reads = 10 * n;
  }
  if (in_flight)
    opts.in_flight = static_cast<std::uint32_t>(*in_flight);
  if (auto dir = cl.value("dir"))
    opts.parent_dir = *dir;
  auto r = bench::run_storage_bench(opts);
  if (!r.error.empty()) {
    std::cerr << "switchyard bench storage: " << r.error << "\n";
    return 1;
  }
  if (cl.has("json")) {
    std::cout << bench::to_json(r) << "\n";
    return 0;
  }
  std::printf("storage benchmark: RocksDB in a temporary directory, decision "
              "records of %llu bytes\n",
              static_cast<unsigned long long>(r.decision_bytes));
  print_op("feedback, synced, one at a time", r.feedback_sequential);
  char name[64];
  std::snprintf(name, sizeof name, "feedback, synced, %u in flight",
                r.in_flight);
  print_op(name, r.feedback_group);
  print_op("decision log, no sync", r.decisions_unsynced);
  print_op("decision log, synced", r.decisions_synced);
  print_op("decision read by id", r.decision_reads);
  std::printf("  group commit: %.1fx the acknowledged feedback/s of one at a "
              "time\n",
              r.feedback_sequential.per_second > 0
                ? r.feedback_group.per_second / r.feedback_sequential.per_second
                : 0.0);
  return 0;
}

} // namespace

int run_bench_command(const std::vector<std::string>& args) {
  // `bench quality` has flags of its own.
  if (!args.empty() && args.front() == "quality")
    return run_quality_bench_command({args.begin() + 1, args.end()});
  if (!args.empty() && args.front() == "dashboard")
    return run_dashboard_bench_command({args.begin() + 1, args.end()});
  if (!args.empty() && args.front() == "gateway")
    return run_gateway_bench_command({args.begin() + 1, args.end()});
  command_line cl{"bench",
                  "switchyard bench engine [--seconds S] [--samples N] "
                  "[--config F] [--prompt-history N] [--json]\n"
                  "switchyard bench adapters [--requests N] [--warmup N] "
                  "[--json]\n"
                  "switchyard bench runtime [--seconds S] [--threads N] "
                  "[--rate R] [--scheduler stealing|sharing] [--no-predictor]\n"
                  "    [--baseline BINARY [--rounds N] | --plan KINDS] [--json]\n"
                  "switchyard bench storage [--count N] [--in-flight N] "
                  "[--dir D] [--json]\n"
                  "switchyard bench gateway [--rate R] [--compare] [--sweep "
                  "R1,R2,...] [...]\n  (see `switchyard bench gateway "
                  "--help`)\n"
                  "switchyard bench quality --registry R (--train A --test B "
                  "| --data F) [...]\n  (see `switchyard bench quality "
                  "--help`)\n"
                  "switchyard bench dashboard [--decisions N] [--days D] "
                  "[--requests N] [--json]\n  (see `switchyard bench "
                  "dashboard --help`)\n\n"
                  "engine: classify + estimate + filter + score + select on "
                  "one thread over a fixed task mix;\nreports decisions/s and "
                  "per-decision latency percentiles.\n"
                  "adapters: the HTTP client + OpenAI adapter against an "
                  "in-process sim-upstream at\nzero delay, beside a minimal "
                  "raw Beast client sending the same bytes; requests\none "
                  "after another on one keep-alive connection, plain and "
                  "streamed; reports\nrequests/s, latency percentiles and the "
                  "adapter's added latency.\n"
                  "runtime: the embedding API's actors against an instant "
                  "in-process provider:\nmaximum tasks/s (closed loop), then "
                  "latency from intended submit time at\n--rate (default half "
                  "the maximum), route-only and route + execute, single-call tasks;\n"
                  "--baseline: the same beside another build's binary, "
                  "taking turns; --plan chain,specialists:\nthose plans "
                  "against single in one run, with the overhead per extra "
                  "step.\n"
                  "storage: a real RocksDB in a temporary directory: synced "
                  "feedback one at a time\nand with N in flight through the "
                  "storage actor's group commit, decision-log\nwrites with "
                  "and without sync, reads of a decision by id.",
                  {
                    {"seconds", takes::number,
                     "throughput phase length (default 3)"},
                    {"samples", takes::integer,
                     "decisions timed one by one (default 200000)"},
                    {"config", takes::text,
                     "registry YAML (default: built-in)"},
                    {"prompt-history", takes::integer,
                     "engine: read a prompt model with this many prompts "
                     "(default 0: none)"},
                    {"requests", takes::integer,
                     "adapters: timed requests per arm and mode (default "
                     "20000)"},
                    {"warmup", takes::integer,
                     "adapters: untimed requests first (default 1000)"},
                    {"threads", takes::integer,
                     "runtime: scheduler threads (default 2)"},
                    {"rate", takes::number,
                     "runtime: paced rate, tasks/s (default: half the max)"},
                    {"scheduler", takes::text,
                     "runtime: stealing (default) or sharing"},
                    {"no-predictor", takes::nothing,
                     "runtime: without the per-prompt success predictor"},
                    {"baseline", takes::text,
                     "runtime: another build's switchyard, run in turns "
                     "with this one"},
                    {"rounds", takes::integer,
                     "runtime: runs of each build with --baseline (default "
                     "3)"},
                    {"plan", takes::text,
                     "runtime: plans to time against single, e.g. "
                     "chain,specialists"},
                    {"count", takes::integer,
                     "storage: synced writes one at a time (default 2000; "
                     "the other phases scale with it)"},
                    {"in-flight", takes::integer,
                     "storage: feedback requests outstanding (default 64)"},
                    {"dir", takes::text,
                     "storage: parent of the temporary store (default: the "
                     "system's temp directory)"},
                    {"json", takes::nothing, "print JSON"},
                  }};
  if (auto done = cl.parse_or_exit(args, "switchyard bench"))
    return *done;
  const auto& pos = cl.positional();
#if SWITCHYARD_HAS_ADAPTERS_BENCH
  if (pos.size() == 1 && pos[0] == "adapters")
    return run_adapters_bench_command(cl);
#endif
  if (pos.size() == 1 && pos[0] == "runtime")
    return run_runtime_bench_command(cl);
  if (pos.size() == 1 && pos[0] == "storage")
    return run_storage_bench_command(cl);
  if (pos.size() != 1 || pos[0] != "engine") {
    std::cerr << "switchyard bench: expected `switchyard bench engine`, "
                 "`switchyard bench runtime`, `switchyard bench storage`, "
                 "`switchyard bench adapters`, `switchyard bench quality`, "
                 "`switchyard bench dashboard` or `switchyard bench gateway` "
                 "(see --help)\n";
    return 2;
  }
  auto seconds = cl.number("seconds").value_or(3.0);
  auto samples = cl.integer("samples").value_or(200'000);
  auto prompt_history = cl.integer("prompt-history").value_or(0);
  if (prompt_history < 0 || prompt_history > 10'000'000) {
    std::cerr << "switchyard bench: --prompt-history must be 0-10000000\n";
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
                                   static_cast<std::uint64_t>(samples),
                                   static_cast<std::size_t>(prompt_history));
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
  if (r.prompt_history > 0)
    std::printf("  prompt model: %zu prompts, index built in %.0f ms, history "
                "%.1f MB, index %.1f MB\n",
                r.prompt_history, r.index_build_ms,
                static_cast<double>(r.history_bytes) / 1e6,
                static_cast<double>(r.index_bytes) / 1e6);
  return 0;
}

} // namespace switchyard::cli
