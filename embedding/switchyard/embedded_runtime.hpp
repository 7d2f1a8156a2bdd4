#pragma once

#include "switchyard/decision_explanation.hpp"
#include "switchyard/embedding_options.hpp"
#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/task_messages.hpp"
#include "switchyard/runtime_stats.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>

namespace switchyard {

/// switchyard as a library: the task API (route, execute, stream, feedback,
/// explain) over provider clients that the registry describes, with no
/// HTTP server in between. This header, and what it includes, is the
/// installed API (`find_package(switchyard)`, `switchyard.pc`, the Python
/// module); the actors, the store and the admin API stay inside.
///
/// Thread-safe: any thread may submit, and thousands of tasks may be in
/// flight. Callbacks run on the runtime's threads (an actor thread, or an
/// HTTP I/O thread for stream chunks) and must not block. A process that
/// forks must start a runtime of its own in the child: the threads do not
/// survive a fork.
class embedded_runtime {
public:
  using route_callback = std::function<void(route_result)>;
  using task_callback = std::function<void(task_reply)>;
  using chunk_callback = std::function<void(const stream_event&)>;

  /// Loads the registry, makes a client per provider and starts the actors.
  /// Fails with `invalid_config` (every registry error, one per line; the
  /// HTTP client's threads and TLS settings) or the store's own error
  /// (`storage_failure`, `corrupt_data`) when the data_dir cannot be opened.
  [[nodiscard]] static caf::expected<std::unique_ptr<embedded_runtime>>
  start(embedding_options opts);

  /// Drains and stops (see `shutdown`).
  ~embedded_runtime();

  embedded_runtime(const embedded_runtime&) = delete;
  embedded_runtime& operator=(const embedded_runtime&) = delete;

  /// Decides without calling any model.
  void route(task_spec task, route_callback done);

  /// Routes and calls the model(s): one answer or one error per task.
  void execute(task_spec task, task_callback done);
  [[nodiscard]] std::future<task_reply> execute(task_spec task);

  /// Streams: `on_chunk` gets each piece as the model writes it, then
  /// `done` runs once. A failure before the first chunk falls back like
  /// execute(); after it, the task fails.
  void stream(task_spec task, chunk_callback on_chunk, task_callback done);

  /// Reports how a decision's answer turned out: `done(none)` once stored
  /// (applied, without a data_dir), `not_found` for an unknown decision,
  /// `storage_failure` when it could not be stored.
  void feedback(std::uint64_t decision_id, engine::feedback_report report,
                std::function<void(error_code)> done);

  /// A logged decision (needs a data_dir). A decision reaches the log
  /// shortly after its answer, so a decision this runtime just made may
  /// still be `not_found`; `shutdown` writes everything queued, so a runtime
  /// started later on the same data_dir finds it.
  void explain(std::uint64_t decision_id,
               std::function<void(decision_explanation)> done);

  /// A decision as `switchyard route --json` prints it.
  [[nodiscard]] std::string decision_json(const engine::decision& d,
                                          std::uint64_t decision_id) const;

  [[nodiscard]] runtime_stats stats() const;

  /// Model indices in replies and decisions refer to it.
  [[nodiscard]] const engine::registry& registry() const noexcept;

  /// Stops taking tasks (later ones fail at once with `invalid_argument`,
  /// "the runtime is closed"), waits
  /// up to the drain deadline for those in flight, then stops the actors
  /// and the HTTP clients. Idempotent; must not be called from a callback.
  void shutdown();

private:
  struct impl;
  explicit embedded_runtime(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace switchyard
