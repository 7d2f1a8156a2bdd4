#pragma once

#include "switchyard/actors/health_actor.hpp"
#include "switchyard/actors/learned_sampler_actor.hpp"
#include "switchyard/engine/provider_call.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/time_source.hpp"
#include "switchyard/messages/storage_records.hpp"
#include "switchyard/provider_client_factory.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace switchyard::actors {
class runtime_extension;
} // namespace switchyard::actors

namespace switchyard::telemetry {
class tracer;
} // namespace switchyard::telemetry

namespace switchyard {

/// How CAF spreads actors over the worker threads.
enum class scheduler_policy {
  /// Per-worker queues; idle workers poll, then nap (see poll_attempts).
  work_stealing,
  /// One shared queue behind a condition variable.
  work_sharing,
};

/// What runtime::start builds: the registry and provider clients, the
/// threads, the budgets and the store.
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
  /// The clock for decay, timestamps, budget days and retention (wall
  /// time) and for what the gateway times (monotonic); the system's when
  /// null. Tests inject their own (switchyard/clock/manual_time.hpp).
  std::shared_ptr<const engine::time_source> clock;
  /// Set: the learned state is sampled this often into a ring of this many
  /// samples (kept in the store with a data_dir), which
  /// runtime_admin::learned_samples reads (the dashboard's chart).
  std::optional<actors::learned_sampling> learned_sampling;
  /// Traces (docs/telemetry.md): set, a task that arrives without one
  /// (`task_spec::trace`) gets a trace of its own, rooted in a
  /// `switchyard.task` span, so that its routing, plan step, ensemble and
  /// upstream spans are recorded as a gateway request's are. The tracer
  /// comes with its exporter (telemetry::start_tracing), which the caller
  /// keeps and shuts down after the runtime; embedded_runtime does this
  /// from `embedding_options` and the registry's `telemetry:` section.
  /// Null: only tasks that carry a trace are traced.
  std::shared_ptr<const telemetry::tracer> tracer;
  /// Actors joining from outside (clustering, see cluster/); may be null.
  std::shared_ptr<actors::runtime_extension> extension;
  /// Health checks and local model discovery: providers whose key or URL
  /// is unusable are never routed to, local servers are asked what they
  /// serve, and every provider's models endpoint is probed. None: every
  /// provider counts as available (embedders with their own clients).
  std::optional<actors::health_config> health;
};

} // namespace switchyard
