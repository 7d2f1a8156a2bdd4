#include "runtime_bench.hpp"

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/runtime.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

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

task_spec make_task(std::uint64_t i) {
  task_spec t;
  t.text = texts[i % text_count];
  return t;
}

/// Submits one task; `done` runs once with whether it succeeded.
void submit(runtime& rt, bool execute, std::uint64_t i,
            std::function<void(bool)> done) {
  if (execute)
    rt.execute(make_task(i), [done](task_reply r) {
      done(r.ok());
    });
  else
    rt.route(make_task(i), [done](route_result r) {
      done(r.ok());
    });
}

double closed_loop_rate(runtime& rt, bool execute, double seconds,
                        std::size_t window) {
  std::mutex m;
  std::condition_variable cv;
  std::size_t in_flight = 0;
  std::uint64_t completed = 0;
  auto on_done = [&](bool) {
    std::lock_guard<std::mutex> guard{m};
    --in_flight;
    ++completed;
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
    submit(rt, execute, i++, on_done);
  }
  auto elapsed = std::chrono::duration<double>(deadline - start).count();
  return static_cast<double>(completed_at_deadline) / elapsed;
}

double percentile(std::vector<double>& xs, double p) {
  if (xs.empty())
    return 0.0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(xs.size() - 1));
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k),
                   xs.end());
  return xs[k];
}

void paced(runtime& rt, bool execute, double rate, double seconds,
           runtime_mode_result& out) {
  auto total = static_cast<std::uint64_t>(rate * seconds);
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
    submit(rt, execute, i, [&, i, intended, submitted](bool ok) {
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
    cv.wait(guard, [&] { return remaining.load() == 0; });
  }
  out.paced_rate = rate;
  out.achieved_rate
    = static_cast<double>(total)
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
  // Warm up the actors, allocators and caches.
  closed_loop_rate(rt, execute, 0.3, window);
  r.max_tasks_per_second = closed_loop_rate(rt, execute, seconds, window);
  paced(rt, execute,
        paced_rate > 0.0 ? paced_rate : r.max_tasks_per_second / 2.0, seconds,
        r);
  return r;
}

} // namespace

runtime_bench_result run_runtime_bench(double seconds, unsigned threads,
                                       std::size_t window, double paced_rate,
                                       bool work_stealing,
                                       bool success_predictor) {
  runtime_bench_result out;
  out.success_predictor = success_predictor;
  out.threads = threads;
  out.scheduler = work_stealing ? "work_stealing (tuned polling)"
                                : "work_sharing";
  runtime_config cfg;
  auto reg = config::load_registry("");
  if (!reg)
    return out;
  cfg.registry = std::move(*reg);
  cfg.worker_threads = threads;
  cfg.success_predictor = success_predictor;
  cfg.scheduler = work_stealing ? scheduler_policy::work_stealing
                                : scheduler_policy::work_sharing;
  cfg.make_client = [](const engine::provider_spec&) {
    return std::make_shared<instant_client>();
  };
  auto started = runtime::start(std::move(cfg));
  if (!started)
    return out;
  auto rt = std::move(*started);
  out.route = run_mode(*rt, false, seconds, window, paced_rate);
  out.execute = run_mode(*rt, true, seconds, window, paced_rate);
  rt->shutdown();
  return out;
}

std::string to_json(const runtime_bench_result& r) {
  std::string out;
  engine::json_writer w{out};
  w.begin_object();
  w.field("benchmark", "runtime");
  w.field("threads", r.threads);
  w.field("scheduler", std::string_view{r.scheduler});
  w.field("success_predictor", r.success_predictor);
  w.key("modes").begin_array();
  for (const auto* m : {&r.route, &r.execute}) {
    w.begin_object();
    w.field("mode", std::string_view{m->mode});
    w.field("max_tasks_per_second", m->max_tasks_per_second);
    w.field("paced_rate", m->paced_rate);
    w.field("achieved_rate", m->achieved_rate);
    w.key("latency_us").begin_object();
    w.field("p50", m->p50_us);
    w.field("p90", m->p90_us);
    w.field("p99", m->p99_us);
    w.field("max", m->max_us);
    w.end_object();
    w.key("latency_from_intended_us").begin_object();
    w.field("p50", m->intended_p50_us);
    w.field("p99", m->intended_p99_us);
    w.end_object();
    w.field("errors", m->errors);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

} // namespace switchyard::bench
