#pragma once

#include "switchyard/engine/cluster_budgets.hpp"
#include "switchyard/engine/membership.hpp"
#include "switchyard/engine/time_source.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace switchyard::cluster {

/// TLS between nodes (caf::openssl): every node presents `certificate` and
/// accepts only peers whose certificate `ca_file` vouches for.
struct cluster_tls {
  std::string certificate;
  std::string private_key;
  std::string ca_file;

  [[nodiscard]] bool enabled() const noexcept {
    return !certificate.empty();
  }
};

/// How one node joins a cluster (`serve --node-id --cluster-listen
/// --cluster-seeds`, or the `cluster:` section of the config).
struct cluster_settings {
  /// Names the node; the same across restarts.
  std::string node_id;
  std::string listen_host = "127.0.0.1";
  /// 0 picks a free port.
  std::uint16_t listen_port = 0;
  /// HOST:PORT of nodes to join through.
  std::vector<std::string> seeds;
  cluster_tls tls;
  /// Heartbeats go out this often (and membership is checked as often).
  std::chrono::milliseconds heartbeat{250};
  engine::membership_config membership;
  /// How long a reservation waits for a budget's owner before it is refused.
  std::chrono::milliseconds owner_timeout{500};
  /// Batches deltas for this long before they go to the peers.
  std::chrono::milliseconds batch_delay{10};
  engine::budget_caps caps;
  /// Provider ids in registry order (breakers are named by id on the wire).
  std::vector<std::string> provider_ids;
  /// Half-life of learned evidence, as learning uses it.
  double half_life_s = 7.0 * 24.0 * 3600.0;
  /// Wall time for budget days, incarnations and delta ages; null: the
  /// system's. (Heartbeats and timeouts run on the actor clock.)
  std::shared_ptr<const engine::time_source> time;
};

/// Splits "HOST:PORT"; false when it is not one.
[[nodiscard]] bool parse_host_port(const std::string& text, std::string& host,
                                   std::uint16_t& port);

} // namespace switchyard::cluster
