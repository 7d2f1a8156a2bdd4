#include "runtime_bench.hpp"

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/runtime.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace switchyard::bench {

namespace {

using clock_type = std::chrono::steady_clock;

/// Answers every call inline, so the figures are the runtime's own cost.
class instant_client : public engine::provider_client {
 public:
  engine::call_handle_ptr call(engine::call_request req,
                               done_fn done) override {
    engine::call_result r;
    r.model = std::move(req.model);
    r.text = "ok";
    r.finish_reason = "stop";
    r.input_tokens = 10;
    r.output_tokens = 10;
    done(std::move(r));
    return nullptr;
  }

  engine::call_handle_ptr stream(engine::call_request req, chunk_fn,
                                 done_fn done) override {
    return call(std::move(req), std::move(done));
  }
};

const char* const texts[] = {
  "say hello",
  "Write a fibonacci function",
  "What is the capital of France?",
  "Review this pull request diff for bugs and style issues",
  "Write unit tests for the payment retry logic",
  "Document the public API of the rate limiter in the README",
  "Prove that the sum of two even numbers is even, step by step",
  "Refactor this module to remove duplicated parsing code",
};
constexpr std::size_t text_count = sizeof(texts) / sizeof(texts[0]);

/// What each submitted task is: routed only, or routed and executed as
/// `plan`.
struct task_shape {
  bool execute = false;
  engine::plan_kind plan = engine::plan_kind::single;
};

task_spec make_task(std::uint64_t i, engine::plan_kind plan) {
  task_spec t;
  t.text = texts[i % text_count];
  // Always set: the mix's moderate and complex tasks would otherwise run as
  // their tier's chain or specialists plan.
  t.plan = plan;
  return t;
}

/// Submits one task; `done` runs once with whether it succeeded and how many
/// calls (attempts, over every step and ensemble member) and steps (1 for a
/// single call) it made.
template<class Done>
void submit(runtime& rt, task_shape shape, std::uint64_t i, Done done) {
  if (shape.execute)
    rt.execute(make_task(i, shape.plan), [done](task_reply r) {
      // Every call the task made (each step's attempts, retries
      // included; the provider never fails, so one per step that ran).
      auto steps = std::count_if(r.steps.begin(), r.steps.end(),
                                 [](const auto& s) {
                                   return s.ran;
                                 });
      done(r.ok(), r.attempts.size(),
           static_cast<std::uint64_t>(std::max<std::ptrdiff_t>(1, steps)));
    });
  else
    rt.route(make_task(i, shape.plan), [done](route_result r) {
      done(r.ok(), std::uint64_t{0}, std::uint64_t{0});
    });
}

struct closed_loop_result {
  double tasks_per_second = 0.0;
  double calls_per_task = 0.0;
  double steps_per_task = 0.0;
};

closed_loop_result closed_loop(runtime& rt, task_shape shape, double seconds,
                               std::size_t window) {
  std::mutex m;
  std::condition_variable cv;
  std::size_t in_flight = 0;
  std::uint64_t completed = 0;
  std::uint64_t calls = 0;
  std::uint64_t steps = 0;
  auto on_done = [&](bool, std::uint64_t n, std::uint64_t k) {
    std::lock_guard<std::mutex> guard{m};
    --in_flight;
    ++completed;
    calls += n;
    steps += k;
    cv.notify_one();
  };
  auto start = clock_type::now();
  auto deadline = start + std::chrono::duration<double>(seconds);
  std::uint64_t i = 0;
  std::uint64_t completed_at_deadline = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> guard{m};
      cv.wait(guard, [&] {
        return in_flight < window;
      });
      if (clock_type::now() >= deadline) {
        completed_at_deadline = completed;
        cv.wait(guard, [&] {
          return in_flight == 0;
        });
        break;
      }
      ++in_flight;
    }
    submit(rt, shape, i++, on_done);
  }
  auto elapsed = std::chrono::duration<double>(deadline - start).count();
  closed_loop_result out;
  out.tasks_per_second = static_cast<double>(completed_at_deadline) / elapsed;
  auto per_task = [&](std::uint64_t n) {
    return completed > 0
             ? static_cast<double>(n) / static_cast<double>(completed)
             : 0.0;
  };
  out.calls_per_task = per_task(calls);
  out.steps_per_task = per_task(steps);
  return out;
}

double percentile(std::vector<double>& xs, double p) {
  if (xs.empty())
    return 0.0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(xs.size() - 1));
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k),
                   xs.end());
  return xs[k];
}

void paced(runtime& rt, task_shape shape, double rate, double seconds,
           runtime_mode_result& out) {
  auto total
    = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(rate * seconds));
  std::vector<double> from_intended(total, 0.0);
  std::vector<double> from_submit(total, 0.0);
  std::atomic<std::uint64_t> remaining{total};
  std::atomic<std::uint64_t> errors{0};
  std::mutex m;
  std::condition_variable cv;
  auto interval = std::chrono::duration<double>(1.0 / rate);
  auto start = clock_type::now() + std::chrono::milliseconds{10};
  for (std::uint64_t i = 0; i < total; ++i) {
    auto intended = start
                    + std::chrono::duration_cast<clock_type::duration>(
                      interval * static_cast<double>(i));
    // Nap while the next send is far off; otherwise yield, which hands the
    // core to the runtime's threads whenever they have work (a sleep's
    // ~60 us granularity would make every send late).
    if (intended - clock_type::now() > std::chrono::microseconds{200})
      std::this_thread::sleep_until(intended - std::chrono::microseconds{100});
    while (clock_type::now() < intended)
      std::this_thread::yield();
    auto submitted = clock_type::now();
    submit(
      rt, shape, i,
      [&, i, intended, submitted](bool ok, std::uint64_t, std::uint64_t) {
        auto now = clock_type::now();
        from_intended[i]
          = std::chrono::duration<double, std::micro>(now - intended).count();
        from_submit[i]
          = std::chrono::duration<double, std::micro>(now - submitted).count();
        if (!ok)
          ++errors;
        if (remaining.fetch_sub(1) == 1) {
          std::lock_guard<std::mutex> guard{m};
          cv.notify_all();
        }
      });
  }
  auto sent_by = clock_type::now();
  {
    std::unique_lock<std::mutex> guard{m};
    cv.wait(guard, [&] {
      return remaining.load() == 0;
    });
  }
  out.paced_rate = rate;
  out.achieved_rate = static_cast<double>(total)
                      / std::chrono::duration<double>(sent_by - start).count();
  out.errors = errors.load();
  out.max_us = *std::max_element(from_submit.begin(), from_submit.end());
  out.p50_us = percentile(from_submit, 0.50);
  out.p90_us = percentile(from_submit, 0.90);
  out.p99_us = percentile(from_submit, 0.99);
  out.intended_p50_us = percentile(from_intended, 0.50);
  out.intended_p99_us = percentile(from_intended, 0.99);
}

runtime_mode_result run_mode(runtime& rt, bool execute, double seconds,
                             std::size_t window, double paced_rate) {
  runtime_mode_result r;
  r.mode = execute ? "route+execute" : "route";
  task_shape shape{execute, engine::plan_kind::single};
  // Warm up the actors, allocators and caches.
  closed_loop(rt, shape, 0.3, window);
  r.max_tasks_per_second
    = closed_loop(rt, shape, seconds, window).tasks_per_second;
  paced(rt, shape, paced_rate > 0.0 ? paced_rate : r.max_tasks_per_second / 2.0,
        seconds, r);
  return r;
}

std::string scheduler_name(const runtime_bench_options& opts) {
  return opts.work_stealing ? "work_stealing (tuned polling)" : "work_sharing";
}

/// A runtime over the default registry whose every provider is an
/// instant_client.
caf::expected<std::unique_ptr<runtime>>
start_runtime(const runtime_bench_options& opts) {
  runtime_config cfg;
  auto reg = config::load_registry("");
  if (!reg)
    return std::move(reg.error());
  cfg.registry = std::move(*reg);
  cfg.worker_threads = opts.threads;
  cfg.success_predictor = opts.success_predictor;
  cfg.scheduler = opts.work_stealing ? scheduler_policy::work_stealing
                                     : scheduler_policy::work_sharing;
  cfg.make_client = [](const engine::provider_spec&) {
    return std::make_shared<instant_client>();
  };
  return runtime::start(std::move(cfg));
}

/// Fills what every runtime bench result says about its run (the
/// predictor, the threads, the scheduler) and starts the runtime; null,
/// with `out.error` set, when it did not start.
template <class Result>
std::unique_ptr<runtime> start_measured(const runtime_bench_options& opts,
                                        Result& out) {
  out.success_predictor = opts.success_predictor;
  out.threads = opts.threads;
  out.scheduler = scheduler_name(opts);
  auto started = start_runtime(opts);
  if (!started) {
    out.error = "the runtime did not start: " + error_message(started.error());
    return nullptr;
  }
  return std::move(*started);
}

// -- the baseline binary
// ---------------------------------------------------------

/// Runs `args` (args[0] a path) and returns its standard output; its standard
/// error passes through. Empty and `why` set when it could not run or did not
/// exit with 0.
std::string run_and_capture(const std::vector<std::string>& args,
                            std::string& why) {
  int fds[2];
  if (pipe(fds) != 0) {
    why = std::string{"pipe: "} + std::strerror(errno);
    return {};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  auto rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    why = args[0] + ": " + std::strerror(rc);
    return {};
  }
  std::string out;
  char buf[4096];
  for (;;) {
    auto n = read(fds[0], buf, sizeof buf);
    if (n > 0)
      out.append(buf, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR)
      break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    why = args[0] + " exited with status " + std::to_string(status);
    return {};
  }
  return out;
}

/// Reads what `to_json(runtime_bench_result)` wrote (the same in builds from
/// before execution plans).
bool parse_bench_json(const std::string& text, runtime_bench_result& out,
                      std::string& why) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded{text};
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) {
    why = "the baseline's output is not JSON";
    return false;
  }
  auto number = [](auto&& obj, const char* key) {
    double d = 0.0;
    if (obj[key].get_double().get(d)) {
      std::int64_t i = 0;
      if (!obj[key].get_int64().get(i))
        d = static_cast<double>(i);
    }
    return d;
  };
  std::uint64_t threads = 0;
  std::string_view scheduler;
  bool predictor = true;
  simdjson::ondemand::array modes;
  if (doc["threads"].get_uint64().get(threads)
      || doc["scheduler"].get_string().get(scheduler)
      || doc["success_predictor"].get_bool().get(predictor)
      || doc["modes"].get_array().get(modes)) {
    why = "the baseline's JSON lacks threads, scheduler, success_predictor "
          "or modes";
    return false;
  }
  out.threads = static_cast<unsigned>(threads);
  out.scheduler = std::string{scheduler};
  out.success_predictor = predictor;
  for (auto element : modes) {
    simdjson::ondemand::object m;
    if (element.get_object().get(m)) {
      why = "the baseline's modes are not objects";
      return false;
    }
    std::string_view name;
    if (m["mode"].get_string().get(name)) {
      why = "a baseline mode has no name";
      return false;
    }
    auto& r = name == "route" ? out.route : out.execute;
    r.mode = std::string{name};
    r.max_tasks_per_second = number(m, "max_tasks_per_second");
    r.paced_rate = number(m, "paced_rate");
    r.achieved_rate = number(m, "achieved_rate");
    simdjson::ondemand::object lat;
    if (!m["latency_us"].get_object().get(lat)) {
      r.p50_us = number(lat, "p50");
      r.p90_us = number(lat, "p90");
      r.p99_us = number(lat, "p99");
      r.max_us = number(lat, "max");
    }
    simdjson::ondemand::object from_intended;
    if (!m["latency_from_intended_us"].get_object().get(from_intended)) {
      r.intended_p50_us = number(from_intended, "p50");
      r.intended_p99_us = number(from_intended, "p99");
    }
    std::uint64_t errors = 0;
    if (!m["errors"].get_uint64().get(errors))
      r.errors = errors;
  }
  return true;
}

double median(std::vector<double> xs) {
  if (xs.empty())
    return 0.0;
  std::sort(xs.begin(), xs.end());
  auto n = xs.size();
  return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2.0;
}

runtime_mode_result
median_mode(const std::vector<runtime_bench_result>& runs,
            runtime_mode_result runtime_bench_result::*mode) {
  runtime_mode_result out;
  if (runs.empty())
    return out;
  out.mode = (runs.front().*mode).mode;
  auto field = [&](double runtime_mode_result::*f) {
    std::vector<double> xs;
    for (const auto& r : runs)
      xs.push_back((r.*mode).*f);
    return median(std::move(xs));
  };
  out.max_tasks_per_second = field(&runtime_mode_result::max_tasks_per_second);
  out.paced_rate = field(&runtime_mode_result::paced_rate);
  out.achieved_rate = field(&runtime_mode_result::achieved_rate);
  out.p50_us = field(&runtime_mode_result::p50_us);
  out.p90_us = field(&runtime_mode_result::p90_us);
  out.p99_us = field(&runtime_mode_result::p99_us);
  out.max_us = field(&runtime_mode_result::max_us);
  out.intended_p50_us = field(&runtime_mode_result::intended_p50_us);
  out.intended_p99_us = field(&runtime_mode_result::intended_p99_us);
  for (const auto& r : runs)
    out.errors += (r.*mode).errors;
  return out;
}

runtime_bench_result median_run(const std::vector<runtime_bench_result>& runs) {
  runtime_bench_result out;
  if (runs.empty())
    return out;
  out.threads = runs.front().threads;
  out.scheduler = runs.front().scheduler;
  out.success_predictor = runs.front().success_predictor;
  out.route = median_mode(runs, &runtime_bench_result::route);
  out.execute = median_mode(runs, &runtime_bench_result::execute);
  return out;
}

void write_mode(engine::json_writer& w, const runtime_mode_result& m) {
  w.begin_object();
  w.field("mode", std::string_view{m.mode});
  w.field("max_tasks_per_second", m.max_tasks_per_second);
  w.field("paced_rate", m.paced_rate);
  w.field("achieved_rate", m.achieved_rate);
  w.key("latency_us").begin_object();
  w.field("p50", m.p50_us);
  w.field("p90", m.p90_us);
  w.field("p99", m.p99_us);
  w.field("max", m.max_us);
  w.end_object();
  w.key("latency_from_intended_us").begin_object();
  w.field("p50", m.intended_p50_us);
  w.field("p99", m.intended_p99_us);
  w.end_object();
  w.field("errors", m.errors);
  w.end_object();
}

void write_run(engine::json_writer& w, const runtime_bench_result& r) {
  w.begin_object();
  w.field("benchmark", "runtime");
  w.field("threads", r.threads);
  w.field("scheduler", std::string_view{r.scheduler});
  w.field("success_predictor", r.success_predictor);
  w.key("modes").begin_array();
  write_mode(w, r.route);
  write_mode(w, r.execute);
  w.end_array();
  w.end_object();
}

} // namespace

runtime_bench_result run_runtime_bench(const runtime_bench_options& opts) {
  runtime_bench_result out;
  auto rt = start_measured(opts, out);
  if (!rt)
    return out;
  out.route = run_mode(*rt, false, opts.seconds, opts.window, opts.paced_rate);
  out.execute = run_mode(*rt, true, opts.seconds, opts.window, opts.paced_rate);
  rt->shutdown();
  return out;
}

std::string to_json(const runtime_bench_result& r) {
  std::string out;
  engine::json_writer w{out};
  write_run(w, r);
  return out;
}

runtime_baseline_result run_runtime_baseline(const runtime_bench_options& opts,
                                             const std::string& binary,
                                             unsigned rounds) {
  runtime_baseline_result out;
  out.binary = binary;
  auto paced_opts = opts;
  if (paced_opts.paced_rate <= 0.0) {
    auto started = start_runtime(opts);
    if (!started) {
      out.error = "the runtime did not start: "
                  + error_message(started.error());
      return out;
    }
    auto rt = std::move(*started);
    task_shape shape{true, engine::plan_kind::single};
    closed_loop(*rt, shape, 0.3, opts.window);
    paced_opts.paced_rate
      = closed_loop(*rt, shape, opts.seconds, opts.window).tasks_per_second
        / 2.0;
    rt->shutdown();
  }
  out.paced_rate = paced_opts.paced_rate;
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.0f", paced_opts.paced_rate);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", opts.seconds);
  std::vector<std::string> args{
    binary,        "bench",
    "runtime",     "--json",
    "--seconds",   seconds,
    "--threads",   std::to_string(opts.threads),
    "--rate",      rate,
    "--scheduler", opts.work_stealing ? "stealing" : "sharing"};
  if (!opts.success_predictor)
    args.emplace_back("--no-predictor");
  auto run_baseline = [&]() -> bool {
    std::string why;
    auto text = run_and_capture(args, why);
    runtime_bench_result r;
    if (text.empty() || !parse_bench_json(text, r, why)) {
      out.error = "the baseline " + binary + ": " + why;
      return false;
    }
    out.baseline.push_back(std::move(r));
    return true;
  };
  auto run_current = [&]() -> bool {
    auto r = run_runtime_bench(paced_opts);
    if (!r.error.empty()) {
      out.error = r.error;
      return false;
    }
    out.current.push_back(std::move(r));
    return true;
  };
  for (unsigned round = 0; round < rounds; ++round) {
    bool ok = round % 2 == 0 ? run_current() && run_baseline()
                             : run_baseline() && run_current();
    if (!ok)
      return out;
  }
  out.current_median = median_run(out.current);
  out.baseline_median = median_run(out.baseline);
  return out;
}

std::string to_json(const runtime_baseline_result& r) {
  std::string out;
  engine::json_writer w{out};
  w.begin_object();
  w.field("benchmark", "runtime_baseline");
  w.field("baseline", std::string_view{r.binary});
  w.field("paced_rate", r.paced_rate);
  w.field("rounds", static_cast<std::uint64_t>(r.current.size()));
  w.key("median");
  w.begin_object();
  w.key("current");
  write_run(w, r.current_median);
  w.key("baseline");
  write_run(w, r.baseline_median);
  w.key("ratio").begin_object();
  for (auto mode :
       {&runtime_bench_result::route, &runtime_bench_result::execute}) {
    const auto& c = r.current_median.*mode;
    const auto& b = r.baseline_median.*mode;
    auto ratio = [](double x, double y) {
      return y > 0.0 ? x / y : 0.0;
    };
    w.key(c.mode).begin_object();
    w.field("max_tasks_per_second",
            ratio(c.max_tasks_per_second, b.max_tasks_per_second));
    w.field("p50", ratio(c.p50_us, b.p50_us));
    w.field("p99", ratio(c.p99_us, b.p99_us));
    w.end_object();
  }
  w.end_object();
  w.end_object();
  w.key("current").begin_array();
  for (const auto& run : r.current)
    write_run(w, run);
  w.end_array();
  w.key("baseline_runs").begin_array();
  for (const auto& run : r.baseline)
    write_run(w, run);
  w.end_array();
  if (!r.error.empty())
    w.field("error", std::string_view{r.error});
  w.end_object();
  return out;
}

runtime_plans_result
run_runtime_plans_bench(const runtime_bench_options& opts,
                        const std::vector<engine::plan_kind>& plans) {
  runtime_plans_result out;
  auto rt = start_measured(opts, out);
  if (!rt)
    return out;
  // single first: the others are measured against it.
  std::vector<engine::plan_kind> kinds{engine::plan_kind::single};
  for (auto k : plans)
    if (k != engine::plan_kind::single)
      kinds.push_back(k);
  for (auto k : kinds) {
    runtime_plan_result p;
    p.plan = k;
    task_shape shape{true, k};
    closed_loop(*rt, shape, 0.3, opts.window);
    auto c = closed_loop(*rt, shape, opts.seconds, opts.window);
    p.tasks_per_second = c.tasks_per_second;
    p.us_per_task = c.tasks_per_second > 0.0 ? 1e6 / c.tasks_per_second : 0.0;
    p.calls_per_task = c.calls_per_task;
    p.steps_per_task = c.steps_per_task;
    out.plans.push_back(p);
  }
  double rate = opts.paced_rate;
  if (rate <= 0.0) {
    rate = out.plans.front().tasks_per_second;
    for (const auto& p : out.plans)
      rate = std::min(rate, p.tasks_per_second);
    rate /= 2.0;
  }
  const auto& single = out.plans.front();
  for (auto& p : out.plans) {
    runtime_mode_result m;
    paced(*rt, task_shape{true, p.plan}, rate, opts.seconds, m);
    p.paced_rate = rate;
    p.achieved_rate = m.achieved_rate;
    p.p50_us = m.p50_us;
    p.p99_us = m.p99_us;
    p.errors = m.errors;
    auto extra_steps = p.steps_per_task - single.steps_per_task;
    if (&p != &single && extra_steps > 0.0) {
      p.overhead_per_step_us = (p.us_per_task - single.us_per_task)
                               / extra_steps;
      p.p50_overhead_per_step_us = (p.p50_us - single.p50_us) / extra_steps;
    }
  }
  rt->shutdown();
  return out;
}

std::string to_json(const runtime_plans_result& r) {
  std::string out;
  engine::json_writer w{out};
  w.begin_object();
  w.field("benchmark", "runtime_plans");
  w.field("threads", r.threads);
  w.field("scheduler", std::string_view{r.scheduler});
  w.field("success_predictor", r.success_predictor);
  w.key("plans").begin_array();
  for (const auto& p : r.plans) {
    w.begin_object();
    w.field("plan", engine::to_string(p.plan));
    w.field("tasks_per_second", p.tasks_per_second);
    w.field("us_per_task", p.us_per_task);
    w.field("calls_per_task", p.calls_per_task);
    w.field("steps_per_task", p.steps_per_task);
    w.field("paced_rate", p.paced_rate);
    w.field("achieved_rate", p.achieved_rate);
    w.key("latency_us").begin_object();
    w.field("p50", p.p50_us);
    w.field("p99", p.p99_us);
    w.end_object();
    w.field("overhead_per_step_us", p.overhead_per_step_us);
    w.field("p50_overhead_per_step_us", p.p50_overhead_per_step_us);
    w.field("errors", p.errors);
    w.end_object();
  }
  w.end_array();
  if (!r.error.empty())
    w.field("error", std::string_view{r.error});
  w.end_object();
  return out;
}

} // namespace switchyard::bench
