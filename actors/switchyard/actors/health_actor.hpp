#pragma once

#include "switchyard/actors/availability_board.hpp"
#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/availability_tracker.hpp"
#include "switchyard/engine/provider_client.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <memory>
#include <random>
#include <vector>

namespace switchyard::actors {

/// What the operator's configuration says before any probe: per provider,
/// why it can never answer (its key variable unset, its URL unusable), and
/// how it is probed.
struct health_config {
  std::vector<engine::unavailability> configured;
  std::vector<engine::probe_policy> probes;
  /// The first discovery round ends after this even if a probe hangs.
  std::chrono::milliseconds first_round_bound{2'000};
};

using health_actor = caf::typed_actor<
  caf::reacts_to<probe_atom, std::uint16_t>,
  caf::reacts_to<probed_atom, std::uint16_t, engine::model_listing>,
  caf::reacts_to<timeout_atom>>;

struct health_state {
  std::unique_ptr<engine::availability_tracker> tracker;
  health_config cfg;
  std::vector<engine::provider_client_ptr> clients;
  scorer_actor scorer;
  std::vector<breaker_actor> breakers;
  std::shared_ptr<availability_board> board;
  runtime_context ctx;
  /// Providers whose first probe has not answered yet.
  std::size_t first_round_pending = 0;
  std::vector<bool> answered;
  std::minstd_rand rng;
  static inline const char* name = "health";
};

/// Probes every provider's models endpoint (jittered, backing off after
/// failures), keeps the engine::availability_tracker, pushes what can
/// answer to the scorer when it changes, tells each breaker how its probe
/// went, and publishes it all on the board. A thin shell: the tracker
/// decides.
health_actor::behavior_type
health(health_actor::stateful_pointer<health_state> self, runtime_context ctx,
       health_config cfg, std::vector<engine::provider_client_ptr> clients,
       scorer_actor scorer, std::vector<breaker_actor> breakers,
       std::shared_ptr<availability_board> board);

} // namespace switchyard::actors
