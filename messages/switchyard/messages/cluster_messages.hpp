#pragma once

// What the nodes of a cluster say to each other, and the hooks through which
// the cluster actor meets learning and the breakers. Every type here must be
// registered on every node (add_cluster_message_types).

#include "switchyard/engine/evidence.hpp"
#include "switchyard/messages/engine_inspect.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace switchyard {

// -- atoms (at most 10 characters) ----------------------------------------------

/// Hands learning or a breaker the cluster actor to report to.
using cluster_atom = caf::atom_constant<caf::atom("cluster")>;
/// Remote evidence (sums over the other nodes) for learning to blend in.
using merge_atom = caf::atom_constant<caf::atom("merge")>;
/// Opens a breaker because a peer's breaker for the provider opened.
using force_open_atom = caf::atom_constant<caf::atom("forceopen")>;
using hello_atom = caf::atom_constant<caf::atom("hello")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using dial_atom = caf::atom_constant<caf::atom("dial")>;
using spend_atom = caf::atom_constant<caf::atom("spend")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using members_atom = caf::atom_constant<caf::atom("members")>;
/// A cluster_inflight list; and a new owner's hold on grants ending.
using inflight_atom = caf::atom_constant<caf::atom("inflight")>;
/// Feedback on a decision that a peer made, handed to that peer.
using forward_feedback_atom = caf::atom_constant<caf::atom("fwdfeedbk")>;

} // namespace switchyard

namespace switchyard::engine {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, evidence& x) {
  return f(caf::meta::type_name("evidence"), x.calls, x.successes,
           x.latency_ms_sum, x.cost_nanos_sum, x.feedback_count,
           x.feedback_sum, x.as_of_s);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, evidence_entry& x) {
  return f(caf::meta::type_name("evidence_entry"), x.model, x.type, x.sums);
}

} // namespace switchyard::engine

namespace switchyard {

/// A node introducing itself (on connect, and back in answer).
struct cluster_hello {
  std::string node_id;
  /// Changes at every start of the node.
  std::string incarnation;
  /// HOST:PORT where its cluster actor is published.
  std::string address;
  /// Every member it knows: "id=HOST:PORT".
  std::vector<std::string> members;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_hello& x) {
  return f(caf::meta::type_name("cluster_hello"), x.node_id, x.incarnation,
           x.address, x.members);
}

/// Running totals a node holds, sent to peers as they change and in full to
/// a node that (re)joins. Totals replace older ones, so repeats are harmless.
struct cluster_totals {
  /// Learned evidence: origin, version, cell.
  std::vector<std::string> evidence_origins;
  std::vector<std::uint64_t> evidence_versions;
  std::vector<engine::evidence_entry> evidence;
  /// Settled spend: origin, scope, total nanodollars.
  std::vector<std::string> spend_origins;
  std::vector<std::string> spend_scopes;
  std::vector<std::int64_t> spend_nanos;
  /// Open breakers: provider id and ms until they half-open.
  std::vector<std::string> open_providers;
  std::vector<std::int64_t> open_for_ms;
  /// When the sender took the earliest delta in this batch (ms since the
  /// Unix epoch), for the propagation delay metric; 0 when none.
  std::int64_t oldest_delta_unix_ms = 0;

  [[nodiscard]] bool empty() const noexcept {
    return evidence.empty() && spend_nanos.empty() && open_providers.empty();
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_totals& x) {
  return f(caf::meta::type_name("cluster_totals"), x.evidence_origins,
           x.evidence_versions, x.evidence, x.spend_origins, x.spend_scopes,
           x.spend_nanos, x.open_providers, x.open_for_ms,
           x.oldest_delta_unix_ms);
}

/// A reservation asked of a budget scope's owner, named by the asking node
/// and a number it chose.
struct scope_reservation {
  std::string scope;
  std::int64_t amount_nanos = 0;
  std::string origin;
  std::uint64_t key = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scope_reservation& x) {
  return f(caf::meta::type_name("scope_reservation"), x.scope,
           x.amount_nanos, x.origin, x.key);
}

/// Every unsettled reservation a node holds at the receiver (as it sees
/// the owners now): the receiver replaces what it held for that node. Sent
/// whenever ownership may have moved.
struct cluster_inflight {
  std::string origin;
  std::vector<std::string> scopes;
  std::vector<std::uint64_t> keys;
  std::vector<std::int64_t> amounts;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_inflight& x) {
  return f(caf::meta::type_name("cluster_inflight"), x.origin, x.scopes,
           x.keys, x.amounts);
}

/// The owner's answer: a reservation id, or a refusal with what is left.
struct scope_grant {
  bool granted = false;
  std::uint64_t reservation_id = 0;
  std::int64_t remaining_nanos = 0;
  std::string why;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scope_grant& x) {
  return f(caf::meta::type_name("scope_grant"), x.granted, x.reservation_id,
           x.remaining_nanos, x.why);
}

/// Ends a reservation at its owner, with the settling node's new spend
/// total for the scope (so that the owner never frees a reservation
/// before it counts the spend that replaces it).
struct scope_settlement {
  std::string scope;
  std::uint64_t reservation_id = 0;
  std::string origin;
  std::int64_t origin_total_nanos = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scope_settlement& x) {
  return f(caf::meta::type_name("scope_settlement"), x.scope,
           x.reservation_id, x.origin, x.origin_total_nanos);
}

/// Registers the cluster's message types; every node needs the same.
inline void add_cluster_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<cluster_hello>("switchyard::cluster_hello");
  cfg.add_message_type<cluster_totals>("switchyard::cluster_totals");
  cfg.add_message_type<scope_reservation>("switchyard::scope_reservation");
  cfg.add_message_type<scope_grant>("switchyard::scope_grant");
  cfg.add_message_type<cluster_inflight>("switchyard::cluster_inflight");
  cfg.add_message_type<scope_settlement>("switchyard::scope_settlement");
  cfg.add_message_type<engine::evidence_entry>("switchyard::evidence_entry");
  cfg.add_message_type<std::vector<engine::evidence_entry>>(
    "std::vector<switchyard::evidence_entry>");
}

} // namespace switchyard
