#pragma once

#include "switchyard/actors/breaker_history.hpp"
#include "switchyard/engine/circuit_breaker.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <atomic>
#include <memory>
#include <vector>

namespace switchyard::actors {

struct breaker_state {
  static inline const char* name = "switchyard.breaker";
  std::uint16_t provider = 0;
  engine::circuit_breaker core{engine::breaker_config{}};
  /// Who hears about state changes (the scorer, later metrics and peers).
  std::vector<scorer_actor> subscribers;
  /// How many times the breaker opened.
  std::uint32_t trips = 0;
  /// Where transitions are recorded; may be null.
  std::shared_ptr<breaker_history> history;
  /// The state last published, the `from` of the next transition.
  breaker_phase published = breaker_phase::closed;
  /// The cluster actor, told of opens caused here; null outside a cluster.
  caf::actor cluster;
  /// Where the phase is published for the provider's executor to read
  /// without a message; may be null.
  std::shared_ptr<std::atomic<breaker_phase>> phase_now;
};

/// One provider's circuit breaker around engine::circuit_breaker. Publishes
/// every state change; wakes itself when a cooldown ends so that routing can
/// offer the provider a half-open probe.
breaker_actor::behavior_type
breaker(breaker_actor::stateful_pointer<breaker_state> self,
        std::uint16_t provider, engine::breaker_config cfg,
        std::vector<scorer_actor> subscribers,
        std::shared_ptr<breaker_history> history = nullptr,
        std::shared_ptr<std::atomic<breaker_phase>> phase_now = nullptr);

} // namespace switchyard::actors
