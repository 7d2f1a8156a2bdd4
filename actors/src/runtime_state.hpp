#pragma once

// What switchyard::runtime and switchyard::runtime_admin share: the actor
// system and its actors, the store, the counters, and the lifecycle that
// keeps callers off the actors while shutdown tears them down. Private to
// the actors library.

#include "switchyard/actors/actor_graph.hpp"
#include "switchyard/actors/availability_board.hpp"
#include "switchyard/actors/breaker_history.hpp"
#include "switchyard/actors/decision_log_queue.hpp"
#include "switchyard/actors/runtime_extension.hpp"
#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/atoms.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/storage/store.hpp"
#include "switchyard/telemetry/tracer.hpp"

#include "runtime_reply.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/expected.hpp>
#include <caf/send.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>

namespace switchyard::detail {

/// A request the bridge actor makes for a caller outside the actors: it
/// runs inside the bridge and answers through the continuations it sets,
/// so that no caller ever blocks on a receive. In-process only.
struct bridge_job {
  std::function<void(caf::event_based_actor*, const actors::actor_graph&)> run;
};

using bridge_job_ptr = std::shared_ptr<bridge_job>;

} // namespace switchyard::detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::detail::bridge_job_ptr)

namespace switchyard::detail {

/// Everything one runtime owns. What is set at start and never torn down
/// (the registry, the classifier, the clock, the log queue, the breaker log,
/// the board) is read freely; the actors, the bridge and the store only
/// under `hold()`.
struct runtime_state {
  std::shared_ptr<const engine::registry> registry;
  std::shared_ptr<const engine::keyword_classifier> classifier;
  /// Null without a data_dir.
  std::shared_ptr<storage::store> store;
  std::shared_ptr<actors::decision_log_queue> log_queue;
  /// The runtime's clock (runtime_config::clock, or the system's).
  std::shared_ptr<const engine::time_source> clock;
  /// runtime_config::tracer: starts a root span for each task that
  /// arrives without a trace; null: such tasks stay untraced.
  std::shared_ptr<const telemetry::tracer> tracer;
  /// runtime_config::learned_sampling's interval; zero without sampling.
  std::chrono::milliseconds learned_interval{0};
  caf::actor_system_config sys_cfg;
  std::shared_ptr<actors::runtime_extension> extension;
  std::unique_ptr<caf::actor_system> system;
  actors::actor_graph graph;
  /// Runs bridge jobs (runtime_start.cpp).
  caf::actor bridge;
  std::atomic<std::size_t> next_coordinator{0};
  std::shared_ptr<actors::breaker_history> breaker_log;
  std::shared_ptr<actors::availability_board> board
    = std::make_shared<actors::availability_board>();

  // -- counters ---------------------------------------------------------------

  std::atomic<std::uint64_t> submitted{0};
  std::atomic<std::uint64_t> succeeded{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::int64_t> spent_nanos{0};
  /// Tasks counted in whose callback has not returned yet.
  std::atomic<std::uint64_t> in_flight{0};

  // -- lifecycle --------------------------------------------------------------

  /// Set first by shutdown: tasks are refused from then on, queries still
  /// answered while tasks drain.
  std::atomic<bool> closing{false};
  /// Set once the drain is over: every call is refused, and the actors, the
  /// bridge and the store are torn down under `teardown`.
  std::atomic<bool> stopped{false};
  /// Held shared by every call that sends to the actors, exclusively by
  /// shutdown while it tears them down; sends never block, so holders are
  /// quick.
  std::shared_mutex teardown;
  /// One shutdown at a time; a second waits for the first.
  std::mutex shutdown_mutex;
  std::mutex drain_mutex;
  std::condition_variable drained;

  /// Holds `teardown` shared while the actors run; empty once `stopped` is
  /// set. Never waits for shutdown: a callback on an actor thread that the
  /// teardown joins must not block on it, and `stopped` is set before
  /// shutdown takes the lock, so a failed try is spurious or the end.
  [[nodiscard]] std::shared_lock<std::shared_mutex> hold() {
    while (!stopped.load()) {
      std::shared_lock<std::shared_mutex> guard{teardown, std::try_to_lock};
      if (!guard)
        continue;
      if (stopped.load())
        break;
      return guard;
    }
    return {};
  }

  /// Counts a task in; false when shutting down.
  [[nodiscard]] bool admit() {
    in_flight.fetch_add(1, std::memory_order_acq_rel);
    if (closing.load(std::memory_order_acquire)) {
      leave();
      return false;
    }
    submitted.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  void leave() {
    if (in_flight.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> guard{drain_mutex};
      drained.notify_all();
    }
  }

  /// Call with `hold()` held.
  [[nodiscard]] const coordinator_actor& pick_coordinator() {
    return graph.coordinators[next_coordinator.fetch_add(
                                1, std::memory_order_relaxed)
                              % graph.coordinators.size()];
  }

  /// Runs `job` in the bridge; `shut_down_error()` after shutdown.
  [[nodiscard]] caf::error
  to_bridge(std::function<void(caf::event_based_actor*,
                               const actors::actor_graph&)>
              job) {
    auto held = hold();
    if (!held || !bridge)
      return shut_down_error();
    auto j = std::make_shared<bridge_job>();
    j->run = std::move(job);
    caf::anon_send(bridge, run_atom::value, std::move(j));
    return {};
  }

  /// Queues blocking work on the storage actor's thread, in order with the
  /// runtime's own writes; `no_store_error()` without a store.
  [[nodiscard]] caf::error
  on_store(std::function<void(storage::store&)> job) {
    auto held = hold();
    if (!held)
      return shut_down_error();
    if (!graph.storage)
      return no_store_error();
    auto j = std::make_shared<storage_job>();
    j->run = std::move(job);
    caf::anon_send(graph.storage, run_atom::value, std::move(j));
    return {};
  }
};

} // namespace switchyard::detail
