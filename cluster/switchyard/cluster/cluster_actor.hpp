#pragma once

#include "switchyard/cluster/cluster_settings.hpp"
#include "switchyard/engine/cluster_budgets.hpp"
#include "switchyard/engine/evidence.hpp"
#include "switchyard/engine/hash_ring.hpp"
#include "switchyard/engine/membership.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace switchyard::cluster {

/// What the HTTP side reads without asking the actor: refreshed by the
/// actor at every heartbeat tick and membership change.
struct cluster_view {
  std::mutex mutex;
  /// GET /v1/cluster.
  std::string status_json;
  /// Prometheus lines for /metrics.
  std::string metrics_text;
};

struct peer_link {
  caf::actor handle;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
};

struct cluster_state {
  static inline const char* name = "switchyard.cluster";

  cluster_settings cfg;
  std::string incarnation;
  /// The top bits of the decision ids this node makes.
  std::uint64_t decision_id_prefix = 0;
  /// Feedback handed to the node that made the decision, and feedback for
  /// another node's decision that could not reach it.
  std::uint64_t feedback_forwarded = 0;
  std::uint64_t feedback_unforwarded = 0;
  /// Where this node's actor is published (HOST:PORT).
  std::string address;
  std::shared_ptr<cluster_view> view;
  engine::membership members{""};
  engine::hash_ring ring;
  std::map<std::string, peer_link> links;
  /// Addresses being dialled, and when each may be dialled next.
  std::set<std::string> dialing;
  std::map<std::string, caf::actor_clock::time_point> next_dial;
  std::map<std::string, std::chrono::milliseconds> dial_backoff;
  /// Dials that failed (refused, unreachable or a TLS handshake rejected).
  std::uint64_t dial_failures = 0;
  caf::io::middleman_actor middleman;
  bool started = false;

  // -- replicated state ---------------------------------------------------------
  engine::replicated_evidence evidence;
  engine::replicated_spend spend;
  /// Open breakers by provider index: when each half-opens.
  std::map<std::uint16_t, caf::actor_clock::time_point> open_breakers;
  cluster_totals outgoing;
  bool flush_pending = false;

  // -- budgets ------------------------------------------------------------------
  engine::owned_budgets owned;
  struct grant_part {
    std::string scope;
    std::string owner;
    /// This node's name for the reservation (0: none was made).
    std::uint64_t reservation_id = 0;
    std::int64_t amount_nanos = 0;
  };
  /// Reservations this node holds at owners, by the token coordinators got.
  std::map<std::uint64_t, std::vector<grant_part>> grants;
  std::uint64_t next_token = 1;
  /// Names this node's reservations at owners; starts from the clock so
  /// that a restarted node never reuses a name an owner may still hold.
  std::uint64_t next_reservation_key = 1;
  /// After ownership moves, grants wait (at most until `hold_until`) for
  /// every live peer's list of unsettled reservations.
  caf::actor_clock::time_point hold_until;
  std::set<std::string> hold_waiting;
  std::vector<std::function<void()>> deferred_grants;
  std::uint64_t handovers = 0;
  std::uint64_t refusals = 0;
  std::uint64_t owner_unreachable = 0;

  // -- the rest of the node ----------------------------------------------------
  ledger_actor local_ledger;
  learning_actor learning;
  std::vector<breaker_actor> breakers;

  /// Recent delta propagation delays (ms), newest last.
  std::deque<double> lag_ms;
};

/// Starts the node's part in the cluster; `start_atom` with the learning
/// actor, the breakers and the published address brings it to life.
/// Peers are dialled at their addresses; `hello_atom` with a peer's handle
/// meets one without dialling (a cluster actor in the same process).
caf::behavior cluster_actor(caf::stateful_actor<cluster_state>* self,
                            cluster_settings cfg,
                            std::shared_ptr<cluster_view> view,
                            ledger_actor local_ledger);

} // namespace switchyard::cluster
