#pragma once

#include <atomic>

#include "switchyard/actors/breaker_history.hpp"
#include "switchyard/actors/coordinator_actor.hpp"
#include "switchyard/actors/decision_log_queue.hpp"
#include "switchyard/actors/health_actor.hpp"
#include "switchyard/actors/learned_sampler_actor.hpp"
#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/provider_client.hpp"
#include "switchyard/messages/actor_interfaces.hpp"
#include "switchyard/storage/store.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace switchyard::actors {

using client_factory
  = std::function<engine::provider_client_ptr(const engine::provider_spec&)>;

/// What a runtime with a store starts from.
struct persisted_state {
  std::vector<engine::learned_entry> cells;
  std::vector<experiment_state> experiments;
  std::vector<ledger_entry> ledger;
  /// The highest decision id logged so far; new ids continue above it.
  std::uint64_t last_decision_id = 0;
  /// The success predictor's saved state (success_predictor::save), or
  /// empty.
  std::string predictor;
  /// The prompt model's saved history (prompt_history::save), or empty.
  std::string prompt_history;
  /// The learned state's stored samples, oldest first.
  std::vector<storage::learned_sample_record> learned_samples;
};

/// Stores the registry that decisions will be made under (replay and
/// explain read it back by config hash) and reads the state to start from.
/// Blocking: call it before spawning the graph, never on a scheduler thread.
[[nodiscard]] caf::expected<persisted_state>
prepare_store(storage::store& db, const engine::registry& reg);

struct actor_graph_config {
  runtime_context ctx;
  budget_limits budgets;
  /// Makes the client for each provider; a provider without one fails its
  /// calls with a connection error that says so.
  client_factory make_client;
  std::size_t classifier_workers = 2;
  /// Coordinators sharing the tasks; each owns the tasks it admitted.
  std::size_t coordinator_shards = 1;
  std::chrono::milliseconds approval_timeout{300'000};
  /// The node's store; null keeps everything in memory (nothing survives
  /// a restart).
  std::shared_ptr<storage::store> store;
  /// Bounds the decision records on their way to the store (made with the
  /// default capacity when null and there is a store).
  std::shared_ptr<decision_log_queue> log_queue;
  /// From prepare_store, when there is a store.
  persisted_state persisted;
  /// Set: a learned_sampler samples the learned state (the dashboard's
  /// chart).
  std::optional<learned_sampling> sampling;
  /// Clustering: the ledger that coordinators reserve from instead of the
  /// local one (given the local one). Empty: the local ledger.
  std::function<ledger_actor(ledger_actor)> wrap_ledger;
  /// Clustering: the node's part of every decision id.
  std::uint64_t decision_id_prefix = 0;
  /// The storage actor runs on a thread of its own. Deterministic tests
  /// turn this off so that the test scheduler runs it too.
  bool detach_storage = true;
  /// Where the breakers record their transitions; may be null.
  std::shared_ptr<breaker_history> breaker_log;
  /// Health checks and local model discovery (the health actor); none:
  /// every provider counts as available and nothing is probed.
  std::optional<health_config> health;
  /// Where the health actor publishes what it knows; required with
  /// `health`.
  std::shared_ptr<availability_board> board;
};

/// Every actor of one runtime, wired together.
struct actor_graph {
  classifier_actor classifier;
  scorer_actor scorer;
  ledger_actor ledger;
  learning_actor learning;
  /// Null without a store.
  storage_actor storage;
  judge_actor judge;
  /// By provider index.
  std::vector<breaker_actor> breakers;
  std::vector<executor_actor> executors;
  /// Null unless actor_graph_config::health was set.
  health_actor health;
  /// Null unless actor_graph_config::sampling was set.
  learned_sampler_actor sampler;
  /// The first coordinator; all of them are in `coordinators`.
  coordinator_actor coordinator;
  std::vector<coordinator_actor> coordinators;
  /// Whether any budget cap is set (the ledger publishes it; see
  /// coordinator_peers::budget_caps_set). Set it before telling the ledger of
  /// a new cap, so that no call skips its reservation meanwhile.
  std::shared_ptr<std::atomic<bool>> budget_caps_set;

  /// The coordinator that owns a decision id.
  [[nodiscard]] const coordinator_actor&
  owner_of(std::uint64_t decision_id) const {
    return coordinators[decision_id % coordinators.size()];
  }

  /// Sends every actor an exit and drops the handles (a handle that outlives
  /// its actor system makes shutdown hang).
  void stop();
};

actor_graph spawn_actor_graph(caf::actor_system& sys,
                              const actor_graph_config& cfg);

} // namespace switchyard::actors
