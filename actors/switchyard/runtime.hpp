#pragma once

#include "switchyard/actors/breaker_history.hpp"
#include "switchyard/actors/health_actor.hpp"
#include "switchyard/actors/decision_replay.hpp"
#include "switchyard/engine/experiment.hpp"
#include "switchyard/engine/provider_client.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/storage_records.hpp"
#include "switchyard/messages/task_messages.hpp"
#include "switchyard/engine/performance.hpp"
#include "switchyard/storage/analytics_report.hpp"
#include "switchyard/storage/decision_listing.hpp"
#include "switchyard/storage/learned_sample.hpp"
#include "switchyard/provider_client_factory.hpp"
#include "switchyard/runtime_stats.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

namespace switchyard::actors {
class runtime_extension;
} // namespace switchyard::actors

namespace switchyard {

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
  /// Set: the actors run on the embedder's threads instead of CAF's workers
  /// (actors::loop_scheduler; `scheduler` and the polling are then unused).
  /// It must run each job it is given soon, on a thread it owns, until the
  /// runtime has shut down; shutdown must not be called from such a thread.
  /// The gateway passes its I/O loop, so that a request crosses no thread
  /// between the HTTP layer and the actors.
  std::function<void(std::function<void()>)> post_actor_job;
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
  // -- state that survives a restart ------------------------------------------
  /// The node's data directory (RocksDB). Learned performance, experiments,
  /// settled spend, feedback and the decision log live there and are read
  /// back at start. Empty: everything stays in memory and is lost at
  /// shutdown (tests, benchmarks).
  std::string data_dir;
  /// Logged decisions older than this are dropped (DESIGN.md: 30 days).
  std::chrono::seconds decision_retention{std::chrono::hours{24 * 30}};
  /// Feedback records are dropped after this; none: as long as decisions.
  /// What they taught stays in the learned state.
  std::optional<std::chrono::seconds> feedback_retention;
  /// Acknowledge feedback, and persist spend, only once the WAL is synced
  /// to disk: they survive power loss, not just a crash of the process.
  bool sync_feedback = true;
  bool sync_ledger = true;
  /// The decision log may lose its last moments on power loss.
  bool sync_decisions = false;
  /// Decision records that may wait for the store; beyond this, new ones
  /// are dropped and counted (runtime_stats), never waited for.
  std::size_t decision_log_queue = 16'384;
  /// What a logged decision keeps of its prompt: the newest user turn and
  /// tool names (full), a SHA-256 of the turn (hash), or nothing (none).
  prompt_retention prompts = prompt_retention::full;
  /// The most the decision log may take on disk before its oldest
  /// decisions are evicted; none: half the data directory's file system;
  /// 0: no cap.
  std::optional<std::uint64_t> store_max_bytes;
  /// Learns per prompt which model answers well (engine::success_predictor,
  /// trained from feedback, persisted with a data_dir) and lets its
  /// estimates move routing. 2^hash_bits weights per model that received
  /// feedback (256 KiB each at 16), plus as much AdaGrad state and a copy
  /// for the scorer.
  bool success_predictor = true;
  std::uint32_t predictor_hash_bits = 16;
  /// Wall-clock time in ms since the Unix epoch, for decay, timestamps and
  /// retention; the system clock when empty. Tests inject their own.
  std::function<std::int64_t()> wall_clock_ms;
  /// Actors joining from outside (clustering, see cluster/); may be null.
  std::shared_ptr<actors::runtime_extension> extension;
  /// Health checks and local model discovery: providers whose key or URL
  /// is unusable are never routed to, local servers are asked what they
  /// serve, and every provider's models endpoint is probed. None: every
  /// provider counts as available (embedders with their own clients).
  std::optional<actors::health_config> health;
};

/// A logged decision with the feedback it received, for `explain`.
struct logged_decision {
  error_code error = error_code::none;
  std::string error_message;
  decision_record record;
  std::vector<feedback_record> feedback;
  /// The registry the decision was made under (model indices refer to it);
  /// the runtime's own when the store lacks it (`registry_logged` false).
  engine::registry registry;
  bool registry_logged = false;

  [[nodiscard]] bool ok() const noexcept {
    return error == error_code::none;
  }
};

/// A logged decision recomputed against the runtime's registry.
struct replay_result {
  error_code error = error_code::none;
  std::string error_message;
  actors::replay_report report;

  [[nodiscard]] bool ok() const noexcept {
    return error == error_code::none;
  }
};

struct analytics_result {
  error_code error = error_code::none;
  std::string error_message;
  storage::analytics_report report;

  [[nodiscard]] bool ok() const noexcept {
    return error == error_code::none;
  }
};

/// A page of the decision log, newest first.
struct decision_list {
  error_code error = error_code::none;
  std::string error_message;
  storage::decision_page page;

  [[nodiscard]] bool ok() const noexcept {
    return error == error_code::none;
  }
};

/// Which time a spend series covers.
struct spend_query {
  /// Wall-clock window, ms since the Unix epoch; it starts at the start of
  /// the minute (hour, for buckets of whole hours) it falls in.
  std::int64_t since_unix_ms = 0;
  std::int64_t until_unix_ms = 0;
  std::int64_t bucket_s = 60;
};

struct spend_result {
  error_code error = error_code::none;
  std::string error_message;
  engine::spend_series series;
  /// Executed tasks the window's rollups sum.
  std::uint64_t tasks = 0;

  [[nodiscard]] bool ok() const noexcept {
    return error == error_code::none;
  }
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

  // -- the decision log (needs a data_dir) ------------------------------------

  /// A logged decision: the task, every routing round with its inputs and
  /// candidates, how it ended, and its feedback.
  void logged(std::uint64_t decision_id,
              std::function<void(logged_decision)> done);
  [[nodiscard]] std::future<logged_decision> logged(std::uint64_t decision_id);

  /// Recomputes a logged decision from its logged inputs with this
  /// runtime's registry, and says whether it comes out the same.
  void replay(std::uint64_t decision_id,
              std::function<void(replay_result)> done);
  [[nodiscard]] std::future<replay_result> replay(std::uint64_t decision_id);

  // -- A/B experiments --------------------------------------------------------

  /// Starts splitting a task type's traffic between the spec's arms. The
  /// reply holds the experiment, or why it cannot start.
  void start_experiment(engine::experiment_spec spec,
                        std::function<void(experiment_reply)> done);
  [[nodiscard]] std::future<experiment_reply>
  start_experiment(engine::experiment_spec spec);

  /// Stops an experiment; its results stay.
  void stop_experiment(std::string id,
                       std::function<void(experiment_reply)> done);
  [[nodiscard]] std::future<experiment_reply> stop_experiment(std::string id);

  /// Every experiment, running or stopped, with its statistical verdict.
  void experiments(std::function<void(experiment_reply)> done);
  [[nodiscard]] std::future<experiment_reply> experiments();

  // -- analytics (needs a data_dir) -------------------------------------------

  /// Model performance per model and task type, cost analysis and
  /// recommendations, from the store (computed on the storage thread).
  void analytics(std::function<void(analytics_result)> done);
  [[nodiscard]] std::future<analytics_result> analytics();

  /// Approves or rejects a critical task waiting for approval; the future
  /// says whether such a task was waiting.
  [[nodiscard]] std::future<bool> approve(std::uint64_t decision_id,
                                          bool approved);

  /// Decision ids of the tasks waiting for approval.
  [[nodiscard]] std::future<std::vector<std::uint64_t>> pending_approvals();

  [[nodiscard]] runtime_stats stats() const;

  /// Every provider's circuit breaker (closed, open or half-open), in the
  /// registry's provider order.
  void breaker_states(std::function<void(std::vector<breaker_change>)> done);
  [[nodiscard]] std::future<std::vector<breaker_change>> breaker_states();

  /// What the ledger holds: spend, reservations in flight, refusals, and
  /// every budget (global, today, per key) with its cap.
  void budget_summary(std::function<void(ledger_summary)> done);
  [[nodiscard]] std::future<ledger_summary> budget_summary();

  /// Gives the key `budget_key` its own budget in USD (over all days), or
  /// back to the policy's per-key cap with none. What it spent still counts.
  void set_key_budget(const std::string& budget_key,
                      std::optional<double> budget_usd);

  [[nodiscard]] const engine::registry& registry() const noexcept;

  // -- what the dashboard reads -----------------------------------------------

  /// Logged decisions with `after < id < before` (`before` 0: the newest),
  /// newest first, at most `limit`; reads about `limit` records whatever
  /// the log's size (needs a data_dir).
  void decisions(std::uint64_t before, std::uint64_t after, std::size_t limit,
                 std::function<void(decision_list)> done);

  /// Spend over time from the store's per-minute and per-hour spend rollups
  /// (kept as decisions are logged: a record per bucket, however many
  /// decisions; needs a data_dir).
  void spend(spend_query q, std::function<void(spend_result)> done);

  /// The learned state as the scorer reads it now, one cell per (model,
  /// task type) of the registry.
  void learned(std::function<void(engine::performance_table)> done);

  /// Stores a sample of the learned state in ring slot `slot` of the store
  /// (nothing without a data_dir), so that its history outlives the process.
  void save_learned_sample(storage::learned_sample_record sample,
                           std::uint64_t slot);

  /// The stored samples, oldest first (none without a data_dir).
  void learned_samples(
    std::function<void(std::vector<storage::learned_sample_record>)> done);

  /// What the health checks know of each provider and model (empty rows
  /// without runtime_config::health).
  [[nodiscard]] actors::availability_board::snapshot availability() const;

  /// Whether the first discovery round is over (at once without health
  /// checks): until then nothing is known of local servers.
  [[nodiscard]] bool discovery_done() const;

  /// The breakers' recent transitions, oldest first (a bounded ring in
  /// memory: it starts empty with the process).
  [[nodiscard]] std::vector<actors::breaker_transition>
  breaker_history() const;

  /// Stops taking tasks, waits up to `deadline` for those in flight, then
  /// stops every actor. Tasks submitted afterwards fail at once. Idempotent;
  /// the destructor calls it.
  void shutdown(std::chrono::milliseconds deadline = std::chrono::seconds{30});

  /// Queues blocking work on the storage actor's thread (in order with the
  /// runtime's own writes); false without a store or after shutdown. For
  /// state the runtime does not own, such as API keys.
  bool run_on_store(std::function<void(storage::store&)> job);

private:
  struct impl;
  explicit runtime(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace switchyard
