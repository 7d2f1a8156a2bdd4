#pragma once

#include "switchyard/messages/actor_interfaces.hpp"

#include <string>

namespace caf {
class actor_system;
class actor_system_config;
} // namespace caf

namespace switchyard::actors {

struct actor_graph;

/// Actors that join a runtime's actor system from outside the actors
/// library: clustering (cluster/). The runtime calls these in order:
/// configure, wrap_ledger, start; stop before its actors stop.
class runtime_extension {
public:
  virtual ~runtime_extension() = default;

  /// Before the actor system starts: load modules (the middleman), register
  /// message types, set options.
  virtual void configure(caf::actor_system_config& cfg) = 0;

  /// The ledger coordinators reserve budgets from; `local` by default.
  virtual ledger_actor wrap_ledger(caf::actor_system&, ledger_actor local) {
    return local;
  }

  /// Or'ed into every decision id this node makes (engine/decision_ids.hpp).
  [[nodiscard]] virtual std::uint64_t decision_id_prefix() const {
    return 0;
  }

  /// Once every actor runs. A non-empty answer says why the runtime cannot
  /// start.
  virtual std::string start(caf::actor_system& sys,
                            const actor_graph& graph) = 0;

  /// Before the runtime's actors stop; drops every actor handle it holds.
  virtual void stop() = 0;
};

} // namespace switchyard::actors
