#include "embed_benchmark.hpp"

#include "task_from_python.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace py = pybind11;

namespace switchyard::python {

namespace {

using clock_type = std::chrono::steady_clock;

/// One benchmark run's shared state: the callbacks outlive no run (the
/// caller waits for the last), but hold it by shared_ptr all the same.
struct run_state {
  embedded_runtime* rt = nullptr;
  task_spec task;
  std::size_t total = 0;
  std::atomic<std::size_t> submitted{0};
  std::vector<double> latency_us;
  std::atomic<std::size_t> failed{0};
  std::mutex mutex;
  std::condition_variable finished;
  std::size_t completed = 0;
};

void submit_next(const std::shared_ptr<run_state>& st) {
  auto n = st->submitted.fetch_add(1, std::memory_order_relaxed);
  if (n >= st->total)
    return;
  auto start = clock_type::now();
  st->rt->execute(st->task, [st, start, n](task_reply r) {
    auto us = std::chrono::duration<double, std::micro>(clock_type::now()
                                                        - start)
                .count();
    st->latency_us[n] = us;
    if (!r.ok())
      st->failed.fetch_add(1, std::memory_order_relaxed);
    submit_next(st);
    std::lock_guard guard{st->mutex};
    if (++st->completed == st->total)
      st->finished.notify_all();
  });
}

} // namespace

py::dict bench_cpp(native_runtime& rt, std::size_t tasks, std::size_t in_flight,
                   const py::dict& task, bool blocking) {
  auto st = std::make_shared<run_state>();
  st->rt = &rt.runtime();
  st->task = task_from_python(task);
  st->total = tasks;
  st->latency_us.assign(tasks, 0.0);
  clock_type::time_point start;
  clock_type::time_point end;
  {
    py::gil_scoped_release release;
    start = clock_type::now();
    if (blocking) {
      for (std::size_t i = 0; i < tasks; ++i) {
        auto t0 = clock_type::now();
        if (!st->rt->execute(st->task).get().ok())
          st->failed.fetch_add(1, std::memory_order_relaxed);
        st->latency_us[i]
          = std::chrono::duration<double, std::micro>(clock_type::now() - t0)
              .count();
      }
    } else {
      for (std::size_t i = 0; i < std::min(in_flight, tasks); ++i)
        submit_next(st);
      std::unique_lock guard{st->mutex};
      st->finished.wait(guard, [&] { return st->completed == st->total; });
    }
    end = clock_type::now();
  }
  auto lat = st->latency_us;
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    return lat.empty() ? 0.0
                       : lat[std::min(lat.size() - 1,
                                      static_cast<std::size_t>(p * lat.size()))];
  };
  double seconds = std::chrono::duration<double>(end - start).count();
  py::dict out;
  out["seconds"] = seconds;
  out["tasks_per_s"] = seconds > 0 ? static_cast<double>(tasks) / seconds : 0.0;
  out["p50_us"] = pct(0.50);
  out["p99_us"] = pct(0.99);
  out["failed"] = st->failed.load();
  return out;
}

} // namespace switchyard::python
