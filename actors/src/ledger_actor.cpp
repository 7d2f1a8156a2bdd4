#include "switchyard/actors/ledger_actor.hpp"

#include "switchyard/clock/system_time.hpp"

#include <chrono>

namespace switchyard::actors {

namespace {

std::optional<engine::usd_nanos> nanos_of(const std::optional<double>& usd) {
  if (!usd)
    return std::nullopt;
  return engine::usd_to_nanos_ceil(*usd);
}

std::int64_t utc_day(const ledger_state& st) {
  return st.time->wall_ms() / (24 * 3600 * 1000);
}

/// Publishes whether any scope has a cap: while none has, coordinators
/// skip the reservation.
void publish_caps(const ledger_state& st) {
  if (st.caps_set)
    st.caps_set->store(st.budgets.any_cap(), std::memory_order_release);
}

budget_status status_of(const engine::budget_balance& b) {
  return {b.spent, b.reserved, b.cap ? *b.cap : -1};
}

using self_ptr = ledger_actor::stateful_pointer<ledger_state>;

/// Keeps the newest total of each scope and day.
void add_unsent(ledger_state& st, std::string scope, std::int64_t day,
                std::int64_t nanos) {
  for (auto& e : st.unsent) {
    if (e.day == day && e.scope == scope) {
      e.spent_nanos = nanos;
      return;
    }
  }
  st.unsent.push_back({std::move(scope), day, nanos});
}

/// Sends the unsent totals to the store, unless a write is already on its
/// way (`now`: regardless, as a flush must). The store answers once they
/// are synced; what settled meanwhile goes next.
void write_spend(self_ptr self, bool now = false) {
  auto& st = self->state;
  if (st.unsent.empty() || (st.writes_in_flight > 0 && !now))
    return;
  ++st.writes_in_flight;
  auto entries = std::move(st.unsent);
  st.unsent.clear();
  self->request(st.storage, caf::infinite, ledger_atom::value,
                std::move(entries))
    .then(
      [self](bool stored) {
        --self->state.writes_in_flight;
        if (!stored)
          ++self->state.persist_failures;
        write_spend(self);
      },
      [self](caf::error&) {
        --self->state.writes_in_flight;
        ++self->state.persist_failures;
        write_spend(self);
      });
}

} // namespace

ledger_actor::behavior_type
ledger(ledger_actor::stateful_pointer<ledger_state> self, budget_limits limits,
       ledger_setup setup) {
  auto& st = self->state;
  st.storage = std::move(setup.storage);
  st.time = time_or_system(std::move(setup.time));
  st.caps_set = std::move(setup.caps_set);
  st.budgets = engine::multi_scope_ledger{
    {nanos_of(limits.global_usd), nanos_of(limits.daily_usd),
     nanos_of(limits.per_key_usd)},
    utc_day(st)};
  publish_caps(st);
  // What was spent before this start counts against the caps again.
  for (const auto& e : setup.history)
    st.budgets.restore({e.scope, e.day, e.spent_nanos});
  auto roll_day = [self] {
    self->state.budgets.roll_to(utc_day(self->state));
  };
  auto reserve = [self, roll_day](const budget_request& req) {
    roll_day();
    auto r = self->state.budgets.reserve(req.key, req.amount_nanos);
    budget_grant g;
    g.granted = r.granted;
    g.remaining_nanos = r.remaining;
    if (r.granted)
      g.reservation_ids.assign(r.ids.begin(), r.ids.end());
    else
      g.scope_exhausted = engine::to_string(*r.refused_by);
    return g;
  };
  return {
    [reserve](reserve_atom, const budget_request& req) -> budget_grant {
      return reserve(req);
    },
    // This node's own budgets: nothing waits, so no span.
    [reserve](reserve_atom, const traced_budget_request& req) -> budget_grant {
      return reserve(req.request);
    },
    [self, roll_day](settle_atom, const budget_settlement& x) {
      auto& s = self->state;
      if (x.release) {
        s.budgets.release(x.key, x.reservation_ids);
      } else if (x.reservation_ids.empty()) {
        // Made without a reservation (no cap was set): the cost still
        // counts, in every scope.
        roll_day();
        s.budgets.record_spend(x.key, x.actual_nanos);
      } else {
        s.budgets.settle(x.key, x.reservation_ids, x.actual_nanos);
      }
      if (!s.storage || x.release || x.actual_nanos <= 0)
        return;
      roll_day();
      for (auto& t : s.budgets.add_to_day_totals(x.key, x.actual_nanos))
        add_unsent(s, std::move(t.scope), t.day, t.nanos);
      write_spend(self);
    },
    [self, roll_day](stats_atom) -> ledger_summary {
      roll_day();
      const auto& b = self->state.budgets;
      auto global = b.global();
      ledger_summary sum{global.spent,
                         global.reserved,
                         global.open_reservations,
                         b.refusals(),
                         status_of(global),
                         status_of(b.daily()),
                         {}};
      for (const auto& k : b.keys())
        sum.keys.push_back({k.key, status_of(k.balance)});
      return sum;
    },
    [self](key_cap_atom, const std::string& key, std::int64_t cap_nanos) {
      auto& s = self->state;
      s.budgets.set_key_cap(
        key, cap_nanos < 0 ? std::nullopt
                           : std::optional<engine::usd_nanos>{cap_nanos});
      publish_caps(s);
    },
    [self](flush_atom) -> caf::typed_response_promise<bool> {
      auto promise = self->make_response_promise<bool>();
      if (!self->state.storage) {
        promise.deliver(true);
        return promise;
      }
      // Behind every spend this ledger sent: the store keeps order.
      write_spend(self, true);
      self->request(self->state.storage, caf::infinite, flush_atom::value)
        .then([promise](bool ok) mutable { promise.deliver(ok); },
              [promise](caf::error&) mutable { promise.deliver(false); });
      return promise;
    },
  };
}

} // namespace switchyard::actors
