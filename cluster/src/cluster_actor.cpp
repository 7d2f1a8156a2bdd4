#include "switchyard/cluster/cluster_actor.hpp"

#include "cluster_parts.hpp"

#include "switchyard/clock/system_time.hpp"
#include "switchyard/engine/decision_ids.hpp"
#include "switchyard/engine/json_writer.hpp"

#include <caf/actor_cast.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace switchyard::cluster {

namespace detail {

constexpr std::size_t max_lag_samples = 4096;
constexpr std::chrono::milliseconds first_backoff{200};
constexpr std::chrono::milliseconds max_backoff{2000};
constexpr std::chrono::seconds dial_timeout{2};

// -- membership ------------------------------------------------------------------

cluster_hello hello_of(const cluster_state& st) {
  cluster_hello h;
  h.node_id = st.cfg.node_id;
  h.incarnation = st.incarnation;
  h.address = st.address;
  for (const auto& [id, m] : st.members.peers())
    if (!m.address.empty())
      h.members.push_back(id + "=" + m.address);
  return h;
}

void send_to(self_ptr self, const std::string& peer, peer_link& link,
             const caf::message& msg) {
  (void) peer;
  ++link.sent;
  self->send(link.handle, msg);
}

/// Everything this node holds, for a peer that (re)joins.
cluster_totals full_totals(const cluster_state& st, clock_point now) {
  cluster_totals t;
  for (auto& o : st.evidence.all()) {
    t.evidence_origins.push_back(o.origin);
    t.evidence_versions.push_back(o.version);
    t.evidence.push_back(o.entry);
  }
  for (auto& s : st.spend.all()) {
    t.spend_origins.push_back(s.origin);
    t.spend_scopes.push_back(s.scope);
    t.spend_nanos.push_back(s.nanos);
  }
  for (auto& [provider, until] : st.open_breakers)
    if (until > now && provider < st.cfg.provider_ids.size()) {
      t.open_providers.push_back(st.cfg.provider_ids[provider]);
      t.open_for_ms.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(until - now)
          .count());
    }
  return t;
}

constexpr std::chrono::milliseconds handover_hold{300};

void end_hold(self_ptr self) {
  auto& st = self->state;
  st.hold_waiting.clear();
  auto deferred = std::move(st.deferred_grants);
  st.deferred_grants.clear();
  for (auto& grant : deferred)
    grant();
}

/// Ownership may have moved: tells every live member (this one too) which
/// of this node's unsettled reservations it now owns, and holds grants
/// until the peers have said the same (or `handover_hold` passes).
void hand_over(self_ptr self) {
  auto& st = self->state;
  // Spend not yet sent goes first: the new owner must count it before it
  // takes the lists as complete.
  flush(self);
  std::map<std::string, cluster_inflight> lists;
  for (const auto& member : st.ring.members())
    lists[member].origin = st.cfg.node_id;
  for (auto& [token, parts] : st.grants)
    for (auto& part : parts) {
      if (part.reservation_id == 0)
        continue;
      part.owner = st.ring.owner(part.scope);
      auto& l = lists[part.owner];
      l.origin = st.cfg.node_id;
      l.scopes.push_back(part.scope);
      l.keys.push_back(part.reservation_id);
      l.amounts.push_back(part.amount_nanos);
    }
  st.hold_waiting.clear();
  for (auto& [member, list] : lists) {
    if (member == st.cfg.node_id) {
      std::vector<engine::owned_budgets::held> held;
      for (std::size_t i = 0; i < list.scopes.size(); ++i)
        held.push_back({list.scopes[i], list.keys[i], list.amounts[i]});
      st.owned.replace_origin(st.cfg.node_id, held);
      continue;
    }
    auto link = st.links.find(member);
    if (link == st.links.end() || !link->second.handle)
      continue;
    st.hold_waiting.insert(member);
    send_to(self, member, link->second,
            caf::make_message(inflight_atom::value, std::move(list)));
  }
  ++st.handovers;
  st.hold_until = self->clock().now() + handover_hold;
  if (st.hold_waiting.empty())
    end_hold(self);
  else
    self->delayed_send(self, handover_hold, inflight_atom::value);
}

void refresh_ring(self_ptr self) {
  auto owners = self->state.members.owners(self->clock().now());
  std::sort(owners.begin(), owners.end()); // as the ring keeps them
  if (owners != self->state.ring.members()) {
    self->state.ring.assign(owners);
    hand_over(self);
  }
}

/// A peer said hello (or answered ours): remember its handle, watch it,
/// learn whom it knows, and send it everything we hold.
void on_hello(self_ptr self, const cluster_hello& h, caf::actor handle) {
  auto& st = self->state;
  if (h.node_id == st.cfg.node_id || !handle)
    return;
  if (engine::decision_id_prefix(h.node_id) == st.decision_id_prefix
      && st.links.count(h.node_id) == 0)
    std::fprintf(stderr,
                 "{\"level\":\"warn\",\"msg\":\"node ids %s and %s share the "
                 "top bits of their decision ids: feedback for their decisions "
                 "may not reach the node that made them; rename one\"}\n",
                 st.cfg.node_id.c_str(), h.node_id.c_str());
  auto now = self->clock().now();
  auto& link = st.links[h.node_id];
  bool new_handle = link.handle != handle;
  if (new_handle) {
    link.handle = handle;
    self->monitor(handle);
  }
  ++link.received;
  bool joined = st.members.heard(h.node_id, h.address, h.incarnation, now);
  for (const auto& m : h.members) {
    auto eq = m.find('=');
    if (eq != std::string::npos)
      st.members.learn(m.substr(0, eq), m.substr(eq + 1));
  }
  st.dial_backoff.erase(h.address);
  if (joined || new_handle) {
    send_to(self, h.node_id, link,
            caf::make_message(delta_atom::value, full_totals(st, now)));
    refresh_ring(self);
    publish_view(self);
  }
}

// -- replicated state ------------------------------------------------------------

void push_remote_evidence(self_ptr self) {
  auto& st = self->state;
  if (st.learning)
    self->send(st.learning, merge_atom::value,
               st.evidence.remote_sums(st.incarnation, st.cfg.half_life_s));
}

void flush_soon(self_ptr self) {
  if (self->state.flush_pending)
    return;
  self->state.flush_pending = true;
  self->delayed_send(self, self->state.cfg.batch_delay, publish_atom::value);
}

void flush(self_ptr self) {
  auto& st = self->state;
  st.flush_pending = false;
  if (st.outgoing.empty())
    return;
  auto msg = caf::make_message(delta_atom::value, std::move(st.outgoing));
  st.outgoing = {};
  auto now = self->clock().now();
  for (auto& [id, link] : st.links) {
    auto m = st.members.peers().find(id);
    if (!link.handle || m == st.members.peers().end()
        || st.members.state_of(m->second, now) == engine::member_state::dead)
      continue; // it catches up from the full totals when it is back
    send_to(self, id, link, msg);
  }
}

void note_delta_time(cluster_state& st) {
  if (st.outgoing.oldest_delta_unix_ms == 0)
    st.outgoing.oldest_delta_unix_ms = unix_ms(st);
}

void apply_totals(self_ptr self, const cluster_totals& t) {
  auto& st = self->state;
  bool evidence_changed = false;
  for (std::size_t i = 0; i < t.evidence.size()
                          && i < t.evidence_origins.size()
                          && i < t.evidence_versions.size();
       ++i)
    evidence_changed |= st.evidence.apply(
      {t.evidence_origins[i], t.evidence_versions[i], t.evidence[i]});
  for (std::size_t i = 0; i < t.spend_nanos.size()
                          && i < t.spend_origins.size()
                          && i < t.spend_scopes.size();
       ++i)
    st.spend.apply({t.spend_origins[i], t.spend_scopes[i], t.spend_nanos[i]});
  auto now = self->clock().now();
  for (std::size_t i = 0; i < t.open_providers.size() && i < t.open_for_ms.size();
       ++i) {
    auto& ids = st.cfg.provider_ids;
    auto it = std::find(ids.begin(), ids.end(), t.open_providers[i]);
    if (it == ids.end())
      continue;
    auto p = static_cast<std::uint16_t>(it - ids.begin());
    st.open_breakers[p] = now + std::chrono::milliseconds{t.open_for_ms[i]};
    if (p < st.breakers.size())
      self->send(st.breakers[p], force_open_atom::value, t.open_for_ms[i]);
  }
  if (evidence_changed) {
    push_remote_evidence(self);
    if (t.oldest_delta_unix_ms > 0) {
      st.lag_ms.push_back(
        static_cast<double>(std::max<std::int64_t>(
          0, unix_ms(self->state) - t.oldest_delta_unix_ms)));
      if (st.lag_ms.size() > max_lag_samples)
        st.lag_ms.pop_front();
    }
  }
}

// -- dialling --------------------------------------------------------------------

/// Asks a peer whose handle this node holds (once a dial connected, or one
/// in the same process) for its hello, and meets it from the answer.
void introduce(self_ptr self, const caf::actor& peer) {
  self->request(peer, dial_timeout, hello_atom::value, hello_of(self->state))
    .then([self, peer](cluster_hello& h) { on_hello(self, h, peer); },
          [](caf::error&) {});
}

void dial(self_ptr self, const std::string& address) {
  auto& st = self->state;
  std::string host;
  std::uint16_t port = 0;
  if (!parse_host_port(address, host, port) || address == st.address
      || st.dialing.count(address) != 0)
    return;
  auto now = self->clock().now();
  if (auto next = st.next_dial.find(address);
      next != st.next_dial.end() && next->second > now)
    return;
  st.dialing.insert(address);
  self
    ->request(st.middleman, dial_timeout, caf::connect_atom::value, host,
              port)
    .then(
      [self, address](caf::node_id&, caf::strong_actor_ptr& ptr,
                      std::set<std::string>&) {
        auto& s = self->state;
        s.dialing.erase(address);
        s.dial_backoff.erase(address);
        auto peer = caf::actor_cast<caf::actor>(ptr);
        if (!peer)
          return;
        introduce(self, peer);
      },
      [self, address](caf::error&) {
        auto& s = self->state;
        ++s.dial_failures;
        s.dialing.erase(address);
        auto& backoff = s.dial_backoff[address];
        backoff = backoff.count() == 0
                    ? first_backoff
                    : std::min(backoff * 2, max_backoff);
        s.next_dial[address] = self->clock().now() + backoff;
      });
}

/// Seeds and dead members get dialled (with backoff) until they answer.
void dial_missing(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  std::set<std::string> live_addresses;
  for (const auto& [id, m] : st.members.peers())
    if (st.members.state_of(m, now) != engine::member_state::dead)
      live_addresses.insert(m.address);
  for (const auto& seed : st.cfg.seeds)
    if (live_addresses.count(seed) == 0)
      dial(self, seed);
  for (const auto& [id, m] : st.members.peers())
    if (!m.address.empty() && live_addresses.count(m.address) == 0)
      dial(self, m.address);
}

void tick(self_ptr self) {
  auto& st = self->state;
  auto msg = caf::make_message(heartbeat_atom::value, st.cfg.node_id,
                               st.incarnation);
  for (auto& [id, link] : st.links)
    if (link.handle)
      send_to(self, id, link, msg);
  dial_missing(self);
  refresh_ring(self);
  publish_view(self);
  self->delayed_send(self, st.cfg.heartbeat, tick_atom::value);
}

} // namespace detail

using namespace detail;

caf::behavior cluster_actor(caf::stateful_actor<cluster_state>* self,
                            cluster_settings cfg,
                            std::shared_ptr<cluster_view> view,
                            ledger_actor local_ledger) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.cfg.time = time_or_system(std::move(st.cfg.time));
  st.view = std::move(view);
  st.local_ledger = std::move(local_ledger);
  st.incarnation = st.cfg.node_id + "#" + std::to_string(unix_ms(self->state));
  st.decision_id_prefix = engine::decision_id_prefix(st.cfg.node_id);
  st.next_reservation_key = static_cast<std::uint64_t>(unix_ms(self->state)) * 1000;
  st.members = engine::membership{st.cfg.node_id, st.cfg.membership};
  // Started with seeds, a node does not count itself a majority alone.
  st.members.set_min_known(st.cfg.seeds.size() + 1);
  st.ring.assign({st.cfg.node_id});
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& s = self->state;
    for (auto& [id, link] : s.links)
      if (link.handle && link.handle.address() == dm.source) {
        link.handle = nullptr;
        s.members.lost(id);
        refresh_ring(self);
        publish_view(self);
        return;
      }
  });
  return {
    // -- from this node ---------------------------------------------------------
    [self](start_atom, learning_actor& learning,
           std::vector<breaker_actor>& breakers, std::string& address,
           caf::io::middleman_actor& middleman) {
      auto& s = self->state;
      s.learning = std::move(learning);
      s.breakers = std::move(breakers);
      s.address = std::move(address);
      s.middleman = std::move(middleman);
      auto me = caf::actor_cast<caf::actor>(self);
      self->send(s.learning, cluster_atom::value, me);
      for (auto& b : s.breakers)
        self->send(b, cluster_atom::value, me);
      if (!s.started) {
        s.started = true;
        seed_stored_spend(self);
        tick(self);
      }
    },
    [self](hello_atom, caf::actor& peer) {
      // A peer met without dialling (another cluster actor in this process).
      if (peer)
        introduce(self, peer);
    },
    [self](tick_atom) { tick(self); },
    [self](publish_atom) { flush(self); },
    [self](delta_atom, std::vector<engine::evidence_entry>& deltas) {
      // This node's learning: add to its own origin's totals.
      auto& s = self->state;
      note_delta_time(s);
      for (auto& d : deltas) {
        auto t = s.evidence.add_local(s.incarnation, d, s.cfg.half_life_s);
        s.outgoing.evidence_origins.push_back(t.origin);
        s.outgoing.evidence_versions.push_back(t.version);
        s.outgoing.evidence.push_back(std::move(t.entry));
      }
      flush_soon(self);
    },
    [self](breaker_atom, breaker_change& c, std::int64_t cooldown_ms) {
      auto& s = self->state;
      if (c.provider >= s.cfg.provider_ids.size())
        return;
      s.open_breakers[c.provider]
        = self->clock().now() + std::chrono::milliseconds{cooldown_ms};
      s.outgoing.open_providers.push_back(s.cfg.provider_ids[c.provider]);
      s.outgoing.open_for_ms.push_back(cooldown_ms);
      flush(self); // a breaker opening should not wait
    },
    [self](reserve_atom, budget_request& req) { return reserve(self, req); },
    [self](reserve_atom, traced_budget_request& req) {
      return reserve(self, req.request, req.trace);
    },
    [self](settle_atom, budget_settlement& x) {
      auto& s = self->state;
      std::vector<cluster_state::grant_part> parts;
      std::uint64_t token = x.reservation_ids.empty() ? 0
                                                      : x.reservation_ids[0];
      if (auto g = s.grants.find(token); g != s.grants.end()) {
        parts = std::move(g->second);
        s.grants.erase(g);
      } else {
        // Unlimited or unknown: spend still counts against capped scopes.
        for (auto& sc : engine::scopes_for(s.cfg.caps, x.key, utc_day(s)))
          parts.push_back({sc.name, s.cfg.node_id, 0});
      }
      settle_parts(self, parts, x.actual_nanos, x.release);
      if (!x.release && x.actual_nanos > 0)
        // The node's own store keeps its spend (ids empty: no reservation).
        self->send(s.local_ledger, settle_atom::value,
                   budget_settlement{x.key, {}, x.actual_nanos, false});
    },
    [self](stats_atom) {
      return self->delegate(self->state.local_ledger, stats_atom::value);
    },
    [self](feedback_atom, feedback_message& f) -> caf::result<feedback_ack> {
      // From learning: feedback on a decision it does not know. Another
      // node's (by the id's top bits)? Then that node answers it; when that
      // node cannot be reached the feedback is not stored (503, retry),
      // never answered as unknown.
      auto& s = self->state;
      auto prefix = engine::decision_prefix_of(f.decision_id);
      if (prefix == 0 || prefix == s.decision_id_prefix)
        return feedback_ack{error_code::none, false};
      for (auto& [id, link] : s.links) {
        if (!link.handle || engine::decision_id_prefix(id) != prefix)
          continue;
        ++link.sent;
        auto promise = self->make_response_promise<feedback_ack>();
        self->request(link.handle, std::chrono::seconds{1},
                      forward_feedback_atom::value, f)
          .then(
            [self, promise](feedback_ack& ack) mutable {
              ++self->state.feedback_forwarded;
              ack.handled = true;
              promise.deliver(ack);
            },
            [self, promise](caf::error&) mutable {
              ++self->state.feedback_unforwarded;
              promise.deliver(feedback_ack{error_code::storage_failure});
            });
        return promise;
      }
      ++s.feedback_unforwarded;
      return feedback_ack{error_code::storage_failure};
    },
    [self](flush_atom) {
      return self->delegate(self->state.local_ledger, flush_atom::value);
    },
    // -- from peers -------------------------------------------------------------
    [self](hello_atom, cluster_hello& h) {
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      on_hello(self, h, sender);
      return hello_of(self->state);
    },
    [self](heartbeat_atom, std::string& id, std::string& incarnation) {
      auto& s = self->state;
      auto link = s.links.find(id);
      if (link == s.links.end() || !link->second.handle)
        return; // not introduced (yet): its hello comes first
      ++link->second.received;
      if (s.members.heard(id, "", incarnation, self->clock().now())) {
        // Back from a partition (or a pause): it may have missed deltas.
        send_to(self, id, link->second,
                caf::make_message(delta_atom::value,
                                  full_totals(s, self->clock().now())));
        refresh_ring(self);
        publish_view(self);
      }
    },
    [self](delta_atom, cluster_totals& t) {
      auto sender = self->current_sender();
      for (auto& [id, link] : self->state.links)
        if (link.handle && caf::actor_cast<caf::strong_actor_ptr>(link.handle)
                             == sender) {
          ++link.received;
          break;
        }
      apply_totals(self, t);
    },
    [self](reserve_atom, scope_reservation& r) -> caf::result<scope_grant> {
      auto promise = self->make_response_promise<scope_grant>();
      reserve_owned_later(self, std::move(r),
                          [promise](const scope_grant& g) mutable {
                            promise.deliver(g);
                          });
      return promise;
    },
    [self](inflight_atom, cluster_inflight& x) {
      // A node's unsettled reservations here, after ownership moved.
      auto& s = self->state;
      std::vector<engine::owned_budgets::held> held;
      for (std::size_t i = 0;
           i < x.scopes.size() && i < x.keys.size() && i < x.amounts.size(); ++i)
        held.push_back({x.scopes[i], x.keys[i], x.amounts[i]});
      s.owned.replace_origin(x.origin, held);
      s.hold_waiting.erase(x.origin);
      if (s.hold_waiting.empty() && !s.deferred_grants.empty())
        end_hold(self);
    },
    [self](inflight_atom) {
      if (self->clock().now() >= self->state.hold_until)
        end_hold(self);
    },
    [self](forward_feedback_atom,
           feedback_message& f) -> caf::result<feedback_ack> {
      // A peer's feedback on a decision made here.
      auto& s = self->state;
      if (!s.learning)
        return feedback_ack{error_code::storage_failure};
      return self->delegate(s.learning, feedback_atom::value, std::move(f));
    },
    [self](settle_atom, scope_settlement& x) {
      auto& s = self->state;
      if (x.origin_total_nanos > 0)
        s.spend.apply({x.origin, x.scope, x.origin_total_nanos});
      s.owned.release(x.scope, x.origin, x.reservation_id);
    },
  };
}

} // namespace switchyard::cluster
