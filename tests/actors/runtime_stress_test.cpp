// The embedding API on CAF's real multi-threaded scheduler, under load.

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <vector>
#include <mutex>
#include <random>
#include <thread>

using namespace switchyard;

namespace {

/// A provider answering on its own thread, right away, failing a seeded
/// random share of calls with a non-retryable error (so tasks fail over).
class threaded_fake : public engine::provider_client {
public:
  threaded_fake(std::uint64_t seed, double failure_rate)
    : rng_(seed), failure_rate_(failure_rate), worker_([this] { loop(); }) {
  }

  ~threaded_fake() override {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  engine::call_handle_ptr call(engine::call_request req, done_fn done) override {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      queue_.push_back({std::move(req), std::move(done)});
    }
    wake_.notify_one();
    return nullptr;
  }

  engine::call_handle_ptr stream(engine::call_request req, chunk_fn,
                                 done_fn done) override {
    return call(std::move(req), std::move(done));
  }

private:
  struct job {
    engine::call_request req;
    done_fn done;
  };

  void loop() {
    std::unique_lock<std::mutex> guard{mutex_};
    for (;;) {
      wake_.wait(guard, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return;
      auto j = std::move(queue_.front());
      queue_.pop_front();
      bool fail = std::uniform_real_distribution<>{}(rng_) < failure_rate_;
      auto cost = static_cast<std::int64_t>(rng_() % 5000);
      guard.unlock();
      engine::call_result r;
      r.model = j.req.model;
      if (fail) {
        r.error = engine::call_error::malformed;
        r.error_message = "scripted failure";
      } else {
        r.text = "ok";
        r.finish_reason = "stop";
        r.cost_nanos = cost;
      }
      j.done(std::move(r));
      guard.lock();
    }
  }

  std::mt19937_64 rng_;
  double failure_rate_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> queue_;
  bool stopping_ = false;
  std::thread worker_;
};


/// Threads of the embedder's that run whatever is posted to them: what the
/// gateway's I/O loop is to runtime_config::post_actor_job.
class job_threads {
public:
  explicit job_threads(int n) {
    for (int i = 0; i < n; ++i)
      threads_.emplace_back([this] { loop(); });
  }

  ~job_threads() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_)
      t.join();
  }

  void post(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

  std::uint64_t jobs_run() const {
    return run_.load();
  }

  bool on_one_of_them() const {
    auto me = std::this_thread::get_id();
    for (const auto& t : threads_)
      if (t.get_id() == me)
        return true;
    return false;
  }

private:
  void loop() {
    std::unique_lock<std::mutex> guard{mutex_};
    for (;;) {
      wake_.wait(guard, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return;
      auto job = std::move(queue_.front());
      queue_.pop_front();
      guard.unlock();
      job();
      ++run_;
      guard.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> run_{0};
  std::vector<std::thread> threads_;
};

/// Runs the tasks; counts the replies that arrived on a thread for which
/// `on_actor_thread` says false.
void run_tasks_concurrently(runtime_config cfg,
                            std::function<bool()> on_actor_thread = {});

} // namespace

TEST_CASE("10,000 concurrent tasks each get exactly one reply, and the "
          "ledger's spend equals the settled costs",
          "[runtime][stress]") {
  runtime_config cfg;
  cfg.worker_threads = 2;
  run_tasks_concurrently(std::move(cfg));
}

TEST_CASE("the same 10,000 tasks with the actors on the embedder's threads "
          "(loop_scheduler)",
          "[runtime][stress]") {
  job_threads threads{2};
  runtime_config cfg;
  cfg.post_actor_job = [&threads](std::function<void()> job) {
    threads.post(std::move(job));
  };
  // Replies come from the coordinators: on those threads, every one.
  run_tasks_concurrently(std::move(cfg),
                         [&threads] { return threads.on_one_of_them(); });
  CHECK(threads.jobs_run() > 0);
}

namespace {

void run_tasks_concurrently(runtime_config cfg,
                            std::function<bool()> on_actor_thread) {
  auto loaded = config::load_registry("");
  REQUIRE(loaded);
  cfg.registry = std::move(*loaded);
  cfg.global_budget_usd = 1000.0;
  std::atomic<std::uint64_t> seed{1};
  std::vector<std::shared_ptr<threaded_fake>> fakes;
  cfg.make_client = [&](const engine::provider_spec&) {
    // 5% failures: enough to exercise fallbacks on every provider without
    // tripping breakers (which stay open for 60 s of real time).
    fakes.push_back(std::make_shared<threaded_fake>(seed++, 0.05));
    return fakes.back();
  };
  auto started = runtime::start(std::move(cfg));
  REQUIRE(started);
  auto rt = std::move(*started);

  constexpr int tasks = 10'000;
  std::vector<std::atomic<int>> replies(tasks);
  std::atomic<std::int64_t> reply_cost{0};
  std::atomic<int> ok{0}, failed{0};
  std::mutex m;
  std::condition_variable all_done;
  std::atomic<int> done{0};
  std::atomic<int> elsewhere{0};
  std::vector<std::string> failures;
  const char* texts[] = {"say hello", "Write a fibonacci function",
                         "Review this pull request diff for bugs",
                         "Audit production deployment for security "
                         "vulnerabilities",
                         "Document the public API in the README"};
  // Two submitting threads, as an orchestrator would.
  auto submit = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      task_spec t;
      t.text = texts[i % 5];
      rt->execute(std::move(t), [&, i](task_reply r) {
        if (on_actor_thread && !on_actor_thread())
          ++elsewhere;
        replies[i].fetch_add(1);
        reply_cost += r.cost_nanos;
        (r.ok() ? ok : failed)++;
        if (!r.ok()) {
          std::lock_guard<std::mutex> guard{m};
          if (failures.size() < 5) {
            std::string why = r.error_message + ":";
            for (const auto& a : r.attempts)
              why += " " + std::to_string(a.model) + "="
                     + std::string{engine::to_string(a.error)};
            failures.push_back(why);
          }
        }
        if (done.fetch_add(1) + 1 == tasks) {
          std::lock_guard<std::mutex> guard{m};
          all_done.notify_all();
        }
      });
    }
  };
  std::thread a{submit, 0, tasks / 2};
  std::thread b{submit, tasks / 2, tasks};
  a.join();
  b.join();
  {
    std::unique_lock<std::mutex> guard{m};
    REQUIRE(all_done.wait_for(guard, std::chrono::seconds{120},
                              [&] { return done.load() == tasks; }));
  }
  for (int i = 0; i < tasks; ++i)
    REQUIRE(replies[i].load() == 1);
  CHECK(ok.load() + failed.load() == tasks);
  CHECK(elsewhere.load() == 0);
  for (const auto& f : failures)
    UNSCOPED_INFO(f);
  CHECK(ok.load() > tasks * 9 / 10);
  auto ledger = rt->admin().budget_summary().get();
  REQUIRE(ledger);
  CHECK(ledger->spent_nanos == reply_cost.load());
  CHECK(ledger->reserved_nanos == 0);
  CHECK(ledger->open_reservations == 0);
  // A task counts as in flight until its callback has returned; shutdown
  // waits for that.
  rt->shutdown();
  auto stats = rt->stats();
  CHECK(stats.submitted == static_cast<std::uint64_t>(tasks));
  CHECK(stats.in_flight == 0);
  CHECK(stats.succeeded + stats.failed == static_cast<std::uint64_t>(tasks));
}

} // namespace

TEST_CASE("shutdown drains in-flight work and refuses new tasks",
          "[runtime]") {
  auto started = runtime::start("", [](const engine::provider_spec&) {
    return std::make_shared<threaded_fake>(7, 0.0);
  });
  REQUIRE(started);
  auto rt = std::move(*started);
  std::vector<std::future<task_reply>> futures;
  for (int i = 0; i < 200; ++i) {
    task_spec t;
    t.text = "say hello";
    futures.push_back(rt->execute(std::move(t)));
  }
  rt->shutdown();
  for (auto& f : futures)
    CHECK(f.get().ok());
  task_spec late;
  late.text = "say hello";
  auto r = rt->execute(std::move(late)).get();
  CHECK_FALSE(r.ok());
  CHECK_THAT(r.error_message, Catch::Contains("shutting down"));
}

TEST_CASE("route returns a decision without calling a model", "[runtime]") {
  std::atomic<int> calls{0};
  struct counting : engine::provider_client {
    std::atomic<int>* n;
    engine::call_handle_ptr call(engine::call_request, done_fn done) override {
      ++*n;
      done({});
      return nullptr;
    }
    engine::call_handle_ptr stream(engine::call_request r, chunk_fn,
                                   done_fn done) override {
      return call(std::move(r), std::move(done));
    }
  };
  auto started = runtime::start("", [&](const engine::provider_spec&) {
    auto c = std::make_shared<counting>();
    c->n = &calls;
    return c;
  });
  REQUIRE(started);
  auto rt = std::move(*started);
  task_spec t;
  t.text = "say hello";
  auto r = rt->route(t).get();
  REQUIRE(r.ok());
  CHECK(rt->registry().models[r.decision.model].id == "qwen3:1.7b");
  CHECK(calls.load() == 0);
  t.force_model = "gpt-7";
  auto unknown = rt->route(t).get();
  CHECK(unknown.error == error_code::unknown_model);
  CHECK_THAT(unknown.error_message, Catch::Contains("not in the registry"));
}
