#pragma once

#include "switchyard/engine/provider_client.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/task_messages.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

namespace switchyard {

/// Makes the client that talks to one provider.
using provider_client_factory
  = std::function<engine::provider_client_ptr(const engine::provider_spec&)>;

/// How CAF spreads actors over the worker threads.
enum class scheduler_policy {
  /// Per-worker queues; idle workers poll, then nap (see poll_attempts).
  work_stealing,
  /// One shared queue behind a condition variable.
  work_sharing,
};

struct runtime_config {
  engine::registry registry;
  provider_client_factory make_client;
  /// Scheduler threads; 0 means one per core.
  std::size_t worker_threads = 0;
  scheduler_policy scheduler = scheduler_policy::work_stealing;
  /// Work stealing: quick polls before an idle worker starts napping, and
  /// the nap between later polls. Short naps keep actor hops fast at the
  /// cost of some idle CPU.
  std::size_t poll_attempts = 1000;
  std::chrono::microseconds poll_nap{2};
  std::optional<double> global_budget_usd;
  std::optional<double> daily_budget_usd;
  /// Each task's `budget_key` has a budget of its own when this is set.
  std::optional<double> per_key_budget_usd;
  /// How long a critical task waits for approval (policy
  /// require_approval_for_critical) before it fails.
  std::chrono::milliseconds approval_timeout{300'000};
  engine::call_timeouts default_timeouts{std::chrono::seconds{5},
                                         std::chrono::seconds{30},
                                         std::chrono::seconds{120}};
};

struct runtime_stats {
  std::uint64_t submitted = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t in_flight = 0;
  /// What executed tasks spent, by their replies.
  double spent_usd = 0.0;
};

/// The router as a library. Thread-safe: any thread may submit, and
/// thousands of tasks may be in flight. Callbacks run on the runtime's
/// threads and must not block; futures may be waited on from any other
/// thread. The CAF actor system inside stays an implementation detail.
class runtime {
public:
  using route_callback = std::function<void(route_result)>;
  using task_callback = std::function<void(task_reply)>;

  /// Starts the actors. Returns null and sets `error` when it cannot.
  [[nodiscard]] static std::unique_ptr<runtime>
  start(runtime_config cfg, std::string* error = nullptr);

  /// Loads the registry from `config_path` (empty: the built-in one).
  [[nodiscard]] static std::unique_ptr<runtime>
  start(const std::string& config_path, provider_client_factory make_client,
        std::string* error = nullptr);

  ~runtime();

  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Decides without calling any model.
  void route(task_spec task, route_callback done);
  [[nodiscard]] std::future<route_result> route(task_spec task);

  /// Routes and calls the model(s): one answer or one error per task.
  void execute(task_spec task, task_callback done);

  /// Streams: `on_event` gets every chunk as the model writes it, from an
  /// I/O thread, before `done` runs once. A failure before the first chunk
  /// falls back like execute(); after it, the task fails (the caller
  /// already has text). The stream is cut at the task's budget.
  void execute_streaming(task_spec task,
                         std::function<void(const stream_event&)> on_event,
                         task_callback done);
  [[nodiscard]] std::future<task_reply> execute(task_spec task);

  /// Reports how a decision's answer turned out.
  void feedback(std::uint64_t decision_id, engine::feedback_report report);

  /// Approves or rejects a critical task waiting for approval; the future
  /// says whether such a task was waiting.
  [[nodiscard]] std::future<bool> approve(std::uint64_t decision_id,
                                          bool approved);

  /// Decision ids of the tasks waiting for approval.
  [[nodiscard]] std::future<std::vector<std::uint64_t>> pending_approvals();

  [[nodiscard]] runtime_stats stats() const;

  /// What the ledger holds: spend, reservations in flight, refusals.
  [[nodiscard]] std::future<ledger_summary> budget_summary();

  [[nodiscard]] const engine::registry& registry() const noexcept;

  /// Stops taking tasks, waits up to `deadline` for those in flight, then
  /// stops every actor. Tasks submitted afterwards fail at once. Idempotent;
  /// the destructor calls it.
  void shutdown(std::chrono::milliseconds deadline = std::chrono::seconds{30});

private:
  struct impl;
  explicit runtime(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace switchyard
