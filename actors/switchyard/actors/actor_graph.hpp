#pragma once

#include "switchyard/actors/coordinator_actor.hpp"
#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/provider_client.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <caf/actor_system.hpp>

#include <functional>
#include <vector>

namespace switchyard::actors {

using client_factory
  = std::function<engine::provider_client_ptr(const engine::provider_spec&)>;

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
};

/// Every actor of one runtime, wired together.
struct actor_graph {
  classifier_actor classifier;
  scorer_actor scorer;
  ledger_actor ledger;
  learning_actor learning;
  judge_actor judge;
  /// By provider index.
  std::vector<breaker_actor> breakers;
  std::vector<executor_actor> executors;
  /// The first coordinator; all of them are in `coordinators`.
  coordinator_actor coordinator;
  std::vector<coordinator_actor> coordinators;

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
