#pragma once

#include "switchyard/actors/runtime_extension.hpp"
#include "switchyard/cluster/cluster_settings.hpp"

#include <caf/actor.hpp>

#include <memory>
#include <string>

namespace switchyard::cluster {

struct cluster_view;

/// Joins a runtime to a cluster: loads CAF's middleman (and caf::openssl
/// for TLS), spawns the cluster actor, publishes it and hooks it into
/// learning, the breakers and the ledger. Pass it as the runtime's
/// `extension`.
class cluster_node : public actors::runtime_extension {
public:
  explicit cluster_node(cluster_settings cfg);
  ~cluster_node() override;

  void configure(caf::actor_system_config& cfg) override;
  ledger_actor wrap_ledger(caf::actor_system& sys, ledger_actor local) override;
  std::string start(caf::actor_system& sys,
                    const actors::actor_graph& graph) override;
  void stop() override;
  [[nodiscard]] std::uint64_t decision_id_prefix() const override;

  /// The published cluster port (after start).
  [[nodiscard]] std::uint16_t port() const noexcept {
    return port_;
  }

  /// GET /v1/cluster's body.
  [[nodiscard]] std::string status_json() const;

  /// Prometheus lines for the cluster links.
  [[nodiscard]] std::string metrics_text() const;

private:
  cluster_settings cfg_;
  std::shared_ptr<cluster_view> view_;
  caf::actor actor_;
  std::uint16_t port_ = 0;
};

} // namespace switchyard::cluster
