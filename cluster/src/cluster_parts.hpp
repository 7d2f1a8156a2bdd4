#pragma once

// The cluster actor's parts, private to it: cluster_actor.cpp (membership,
// replicated state, dialling and the behaviour), cluster_budget_owners.cpp
// (budgets owned across the cluster) and cluster_status.cpp (what the HTTP
// side reads).

#include "switchyard/cluster/cluster_actor.hpp"
#include "switchyard/telemetry/trace_parent.hpp"

#include <functional>
#include <string>
#include <vector>

namespace switchyard::cluster::detail {

using self_ptr = caf::stateful_actor<cluster_state>*;
using clock_point = caf::actor_clock::time_point;

inline std::int64_t unix_ms(const cluster_state& st) {
  return st.cfg.time->wall_ms();
}

inline std::int64_t utc_day(const cluster_state& st) {
  return unix_ms(st) / (24 * 3600 * 1000);
}

// -- cluster_actor.cpp
// ---------------------------------------------------------

void send_to(self_ptr self, const std::string& peer, peer_link& link,
             const caf::message& msg);
/// Sends the batched deltas to every peer now.
void flush(self_ptr self);
/// Sends them after the batch delay.
void flush_soon(self_ptr self);
/// Rebuilds the hash ring from the live members.
void refresh_ring(self_ptr self);

// -- cluster_budget_owners.cpp
// -------------------------------------------------

/// What this node spent before it (re)started counts in the cluster's
/// budgets under its name.
void seed_stored_spend(self_ptr self);
/// Owner side: reserve in a scope this node owns.
scope_grant reserve_owned(self_ptr self, const scope_reservation& r);
/// reserve_owned, once a handover hold (if any) is over.
void reserve_owned_later(self_ptr self, scope_reservation r,
                         std::function<void(const scope_grant&)> done);
/// Settles (or releases) the parts of a reservation at their owners.
void settle_parts(self_ptr self,
                  const std::vector<cluster_state::grant_part>& parts,
                  engine::usd_nanos actual, bool release);
/// Reserves across every scope the request touches, at each scope's owner.
/// With `trace` (a traced task's), each wait on an owner node is a
/// `switchyard.budget_reserve` span of it.
caf::typed_response_promise<budget_grant>
reserve(self_ptr self, const budget_request& req,
        const telemetry::trace_parent_ptr& trace = nullptr);

// -- cluster_status.cpp
// --------------------------------------------------------

/// Refreshes the JSON status and the metrics text the HTTP side reads.
void publish_view(self_ptr self);

} // namespace switchyard::cluster::detail
