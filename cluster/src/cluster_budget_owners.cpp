#include "cluster_parts.hpp"

#include "switchyard/engine/money.hpp"
#include "switchyard/telemetry/active_span.hpp"
#include "switchyard/telemetry/internal_span_attributes.hpp"

#include <algorithm>
#include <caf/send.hpp>
#include <memory>

namespace switchyard::cluster::detail {

/// What this node spent before it (re)started, from its own store, counts
/// in the cluster's budgets under its name (totals merge by maximum, so
/// peers that still hold it are not counted twice).
void seed_stored_spend(self_ptr self) {
  auto& st = self->state;
  if (!st.local_ledger)
    return;
  self->request(st.local_ledger, caf::infinite, stats_atom::value)
    .then(
      [self](ledger_summary& sum) {
        auto& s = self->state;
        auto seed = [&s](const std::string& scope, std::int64_t nanos) {
          if (nanos <= 0 || !s.spend.apply({s.cfg.node_id, scope, nanos}))
            return;
          s.outgoing.spend_origins.push_back(s.cfg.node_id);
          s.outgoing.spend_scopes.push_back(scope);
          s.outgoing.spend_nanos.push_back(nanos);
        };
        seed(engine::global_scope_name(), sum.global.spent_nanos);
        seed(engine::daily_scope_name(utc_day(self->state)),
             sum.daily.spent_nanos);
        for (const auto& k : sum.keys)
          seed(engine::key_scope_name(k.key), k.budget.spent_nanos);
        if (!s.outgoing.empty())
          flush_soon(self);
      },
      [](caf::error&) {});
}

/// Owner side: reserve in a scope this node owns.
scope_grant reserve_owned(self_ptr self, const scope_reservation& r) {
  auto& st = self->state;
  scope_grant g;
  auto cap = engine::cap_of_scope(st.cfg.caps, r.scope);
  if (!cap) {
    g.granted = true;
    return g;
  }
  auto now = self->clock().now();
  if (!st.members.has_quorum(now)) {
    g.why = "the cluster has no majority of live nodes here";
    return g;
  }
  if (st.ring.owner(r.scope) != st.cfg.node_id) {
    g.why = "node " + st.cfg.node_id + " does not own it";
    return g;
  }
  auto answer = st.owned.reserve(r.scope, *cap, st.spend.spent(r.scope),
                                 r.amount_nanos, r.origin, r.key);
  g.remaining_nanos = answer.remaining;
  if (!answer.granted) {
    g.why = "exhausted";
    return g;
  }
  g.granted = true;
  g.reservation_id = r.key;
  return g;
}

/// reserve_owned, once a handover hold (if any) is over.
void reserve_owned_later(self_ptr self, scope_reservation r,
                         std::function<void(const scope_grant&)> done) {
  auto& st = self->state;
  if (!st.hold_waiting.empty() && self->clock().now() < st.hold_until) {
    st.deferred_grants.push_back(
      [self, r = std::move(r), done = std::move(done)] {
        done(reserve_owned(self, r));
      });
    return;
  }
  done(reserve_owned(self, r));
}

/// Ends reservations at their owners; with spend, counts it first.
void settle_parts(self_ptr self,
                  const std::vector<cluster_state::grant_part>& parts,
                  engine::usd_nanos actual, bool release) {
  auto& st = self->state;
  for (const auto& part : parts) {
    engine::replicated_spend::total total{st.cfg.node_id, part.scope, 0};
    if (!release && actual > 0) {
      total = st.spend.add_local(st.cfg.node_id, part.scope, actual);
      st.outgoing.spend_origins.push_back(total.origin);
      st.outgoing.spend_scopes.push_back(total.scope);
      st.outgoing.spend_nanos.push_back(total.nanos);
    }
    if (part.reservation_id == 0)
      continue;
    if (part.owner == st.cfg.node_id) {
      st.owned.release(part.scope, st.cfg.node_id, part.reservation_id);
      continue;
    }
    auto link = st.links.find(part.owner);
    if (link == st.links.end() || !link->second.handle)
      continue; // the owner is gone; its successor counts the spend
    send_to(self, part.owner, link->second,
            caf::make_message(settle_atom::value,
                              scope_settlement{part.scope, part.reservation_id,
                                               st.cfg.node_id,
                                               release ? 0 : total.nanos}));
  }
  // Spend goes out at once, not batched: a node that dies must not take
  // spend with it that the budget's next owner never hears of.
  if (!release && actual > 0)
    flush(self);
}

namespace {

struct pending_reservation {
  std::vector<cluster_state::grant_part> parts;
  std::size_t left = 0;
  bool refused = false;
  std::string refused_scope;
  std::int64_t remaining = std::numeric_limits<std::int64_t>::max();
  caf::typed_response_promise<budget_grant> promise;
};

void finish_reservation(self_ptr self, std::shared_ptr<pending_reservation> p) {
  auto& st = self->state;
  budget_grant g;
  g.remaining_nanos = p->remaining == std::numeric_limits<std::int64_t>::max()
                        ? 0
                        : p->remaining;
  if (p->refused) {
    ++st.refusals;
    std::vector<cluster_state::grant_part> granted;
    for (auto& part : p->parts)
      if (part.reservation_id != 0)
        granted.push_back(part);
    settle_parts(self, granted, 0, true);
    g.granted = false;
    g.scope_exhausted = p->refused_scope;
    p->promise.deliver(std::move(g));
    return;
  }
  auto token = st.next_token++;
  st.grants.emplace(token, std::move(p->parts));
  g.granted = true;
  g.reservation_ids = {token};
  p->promise.deliver(std::move(g));
}

} // namespace

caf::typed_response_promise<budget_grant>
reserve(self_ptr self, const budget_request& req,
        const telemetry::trace_parent_ptr& trace) {
  auto& st = self->state;
  auto p = std::make_shared<pending_reservation>();
  p->promise = self->make_response_promise<budget_grant>();
  auto scopes = engine::scopes_for(st.cfg.caps, req.key, utc_day(self->state));
  if (scopes.empty()) {
    budget_grant g;
    g.granted = true;
    g.reservation_ids = {0};
    p->promise.deliver(std::move(g));
    return p->promise;
  }
  auto now = self->clock().now();
  if (!st.members.has_quorum(now)) {
    ++st.refusals;
    budget_grant g;
    g.scope_exhausted = scopes.front().name
                        + " (this node does not see a majority of the "
                          "cluster, so no budget can be reserved safely)";
    p->promise.deliver(std::move(g));
    return p->promise;
  }
  refresh_ring(self);
  p->left = scopes.size();
  p->parts.resize(scopes.size());
  auto one_done = [self, p, amount = req.amount_nanos](
                    std::size_t i, const scope_grant& g,
                    const std::string& scope, const std::string& owner) {
    p->parts[i] = {scope, owner, g.granted ? g.reservation_id : 0, amount};
    if (g.granted) {
      if (g.reservation_id != 0)
        p->remaining = std::min(p->remaining, g.remaining_nanos);
    } else if (!p->refused) {
      p->refused = true;
      p->refused_scope = g.why == "exhausted" ? scope
                                              : scope + " (" + g.why + ")";
      p->remaining = std::min(p->remaining, g.remaining_nanos);
    }
    if (--p->left == 0)
      finish_reservation(self, p);
  };
  for (std::size_t i = 0; i < scopes.size(); ++i) {
    const auto& scope = scopes[i].name;
    auto owner = st.ring.owner(scope);
    scope_reservation r{scope, req.amount_nanos, st.cfg.node_id,
                        st.next_reservation_key++};
    if (owner == st.cfg.node_id) {
      reserve_owned_later(self, r,
                          [one_done, i, scope, owner](const scope_grant& g) {
                            one_done(i, g, scope, owner);
                          });
      continue;
    }
    auto link = st.links.find(owner);
    if (link == st.links.end() || !link->second.handle) {
      ++st.owner_unreachable;
      scope_grant no;
      no.why = "its owner node " + owner + " is unreachable";
      one_done(i, no, scope, owner);
      continue;
    }
    ++link->second.sent;
    // The task waits on another node: a span of its trace, when traced
    // (kind client: a request to a peer).
    auto span = telemetry::start_shared_span(
      trace, std::string{telemetry::span_names::budget_reserve},
      telemetry::span_kind::client);
    if (span) {
      span->set(telemetry::attrs::budget_scope, scope)
        .set(telemetry::attrs::budget_owner, owner)
        .set(telemetry::attrs::budget_amount_usd,
             engine::nanos_to_usd(req.amount_nanos));
    }
    self
      ->request(link->second.handle, st.cfg.owner_timeout, reserve_atom::value,
                r)
      .then(
        [one_done, i, scope, owner, span](scope_grant& g) {
          if (span) {
            span->set(telemetry::attrs::budget_granted, g.granted);
            span->end();
          }
          one_done(i, g, scope, owner);
        },
        [self, one_done, i, scope, owner, span](caf::error&) {
          if (span)
            span->fail("the owner node did not answer").end();
          ++self->state.owner_unreachable;
          scope_grant no;
          no.why = "its owner node " + owner + " did not answer";
          one_done(i, no, scope, owner);
        });
  }
  return p->promise;
}

} // namespace switchyard::cluster::detail
