#pragma once

#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/task_messages.hpp"
#include "switchyard/provider_client_factory.hpp"
#include "switchyard/runtime_config.hpp"
#include "switchyard/runtime_stats.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace switchyard {

class runtime_admin;

namespace detail {
struct runtime_state;
} // namespace detail

/// The router as a library: tasks in, answers and decisions out. Thread-safe:
/// any thread may submit, and thousands of tasks may be in flight. Callbacks
/// run on the runtime's threads and must not block; futures may be waited on
/// from any other thread. The CAF actor system inside stays an
/// implementation detail. Queries and administration (the decision log,
/// analytics, experiments, budgets, API keys) are on `admin()`.
class runtime {
public:
  using route_callback = std::function<void(route_result)>;
  using task_callback = std::function<void(task_reply)>;
  using event_callback = std::function<void(const stream_event&)>;

  // -- start and stop ---------------------------------------------------------

  /// Opens the store (with a data_dir), reads back what it holds and starts
  /// the actors. Fails with `invalid_config` for a registry without models
  /// or providers, the store's error (`storage_failure`, `corrupt_data`)
  /// when it cannot be opened or read, and `io_failure` when the extension
  /// cannot start (its message says why).
  [[nodiscard]] static caf::expected<std::unique_ptr<runtime>>
  start(runtime_config cfg);

  /// Loads the registry from `config_path` (empty: the built-in one); fails
  /// with the loader's error as well.
  [[nodiscard]] static caf::expected<std::unique_ptr<runtime>>
  start(const std::string& config_path, provider_client_factory make_client);

  ~runtime();

  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Stops taking tasks, waits up to `deadline` for those in flight, writes
  /// what learning and the ledger hold to the store, then stops every actor.
  /// Tasks submitted afterwards fail at once, and so do queries. Idempotent
  /// (a second call waits for the first); the destructor calls it. Must not
  /// be called from a callback.
  void shutdown(std::chrono::milliseconds deadline = std::chrono::seconds{30});

  // -- tasks ------------------------------------------------------------------

  /// Decides without calling any model.
  void route(task_spec task, route_callback done);
  [[nodiscard]] std::future<route_result> route(task_spec task);

  /// Routes and calls the model(s): one answer or one error per task.
  void execute(task_spec task, task_callback done);
  [[nodiscard]] std::future<task_reply> execute(task_spec task);

  /// Streams: `on_event` gets every chunk as the model writes it, from an
  /// I/O thread, before `done` runs once. A failure before the first chunk
  /// falls back like execute(); after it, the task fails (the caller
  /// already has text). The stream is cut at the task's budget.
  void execute_streaming(task_spec task, event_callback on_event,
                         task_callback done);

  // -- feedback ---------------------------------------------------------------

  /// Reports how a decision's answer turned out.
  void feedback(std::uint64_t decision_id, engine::feedback_report report);

  /// The same, with an acknowledgement: `done(true)` once the feedback is
  /// stored (in the WAL, synced with `sync_feedback`), or applied when the
  /// runtime has no store; `done(false)` when it could not be stored.
  void feedback(std::uint64_t decision_id, engine::feedback_report report,
                std::function<void(bool stored)> done);

  /// Feedback from a client key: `done(error_code::none)` once stored (or
  /// applied, without a store); `not_found` when the decision is unknown,
  /// past retention, or was made by another key (the same answer, so that
  /// ids reveal nothing); `storage_failure` when it could not be stored.
  /// An empty `key_id` may give feedback on any decision.
  void feedback(std::uint64_t decision_id, engine::feedback_report report,
                std::string key_id, std::function<void(error_code)> done);

  // -- approvals --------------------------------------------------------------

  /// Approves or rejects a critical task waiting for approval (policy
  /// require_approval_for_critical); the future says whether such a task
  /// was waiting.
  [[nodiscard]] std::future<bool> approve(std::uint64_t decision_id,
                                          bool approved);

  /// Decision ids of the tasks waiting for approval.
  [[nodiscard]] std::future<std::vector<std::uint64_t>> pending_approvals();

  // -- what it is doing -------------------------------------------------------

  [[nodiscard]] runtime_stats stats() const;

  /// Model indices in replies and decisions refer to it.
  [[nodiscard]] const engine::registry& registry() const noexcept;

  /// The runtime's clock (runtime_config::clock, or the system's): what
  /// the gateway stamps its answers and logs with.
  [[nodiscard]] const engine::time_source& clock() const noexcept;

  /// Queries and administration; valid as long as the runtime.
  [[nodiscard]] runtime_admin& admin() noexcept;

private:
  explicit runtime(std::unique_ptr<detail::runtime_state> state);

  std::unique_ptr<detail::runtime_state> state_;
  std::unique_ptr<runtime_admin> admin_;
};

} // namespace switchyard
