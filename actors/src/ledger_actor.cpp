#include "switchyard/actors/ledger_actor.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

namespace switchyard::actors {

namespace {

constexpr engine::usd_nanos unlimited = std::numeric_limits<engine::usd_nanos>::max() / 4;

constexpr std::string_view global_scope = "global";

engine::usd_nanos cap_of(const std::optional<double>& usd) {
  return usd ? engine::usd_to_nanos_ceil(*usd) : unlimited;
}

std::int64_t utc_day(const ledger_state& st) {
  std::int64_t ms = 0;
  if (st.wall_clock_ms) {
    ms = st.wall_clock_ms();
  } else {
    using namespace std::chrono;
    ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch())
           .count();
  }
  return ms / (24 * 3600 * 1000);
}

std::string key_scope(const std::string& key) {
  return "key:" + key;
}

engine::usd_nanos key_cap(const ledger_state& st, const std::string& key) {
  if (auto i = st.key_caps.find(key); i != st.key_caps.end())
    return i->second;
  return cap_of(st.limits.per_key_usd);
}

engine::budget_ledger& key_ledger(ledger_state& st, const std::string& key) {
  auto i = st.keys.find(key);
  if (i == st.keys.end())
    i = st.keys.emplace(key, engine::budget_ledger{key_cap(st, key)}).first;
  return i->second;
}

/// Publishes whether any scope has a cap: while none has, coordinators
/// skip the reservation.
void publish_caps(const ledger_state& st) {
  if (!st.caps_set)
    return;
  bool any = st.limits.global_usd || st.limits.daily_usd
             || st.limits.per_key_usd || !st.key_caps.empty();
  st.caps_set->store(any, std::memory_order_release);
}

budget_status status_of(const engine::budget_ledger& l) {
  return {l.spent(), l.reserved(), l.cap() >= unlimited ? -1 : l.cap()};
}

} // namespace

ledger_actor::behavior_type
ledger(ledger_actor::stateful_pointer<ledger_state> self, budget_limits limits,
       ledger_setup setup) {
  auto& st = self->state;
  st.limits = limits;
  st.storage = std::move(setup.storage);
  st.wall_clock_ms = std::move(setup.wall_clock_ms);
  st.caps_set = std::move(setup.caps_set);
  publish_caps(st);
  st.global = engine::budget_ledger{cap_of(limits.global_usd)};
  st.daily = engine::budget_ledger{cap_of(limits.daily_usd)};
  st.day = utc_day(st);
  // What was spent before this start counts against the caps again: the
  // global and per-key budgets over all days, the daily one for today.
  for (const auto& e : setup.history) {
    if (e.scope == global_scope) {
      st.global.record_spend(e.spent_nanos);
      if (e.day == st.day) {
        st.daily.record_spend(e.spent_nanos);
        st.spent_today[e.scope] = e.spent_nanos;
      }
    } else if (e.scope.rfind("key:", 0) == 0) {
      key_ledger(st, e.scope.substr(4)).record_spend(e.spent_nanos);
      if (e.day == st.day)
        st.spent_today[e.scope] = e.spent_nanos;
    }
  }
  // Scopes in a fixed order; a grant holds one id per scope (0: unused).
  auto scopes = [self](const std::string& key) {
    auto& s = self->state;
    std::array<engine::budget_ledger*, 3> ls{&s.global, &s.daily, nullptr};
    if (!key.empty())
      ls[2] = &key_ledger(s, key);
    return ls;
  };
  auto roll_day = [self] {
    auto& s = self->state;
    if (auto today = utc_day(s); today != s.day) {
      s.day = today;
      s.daily.start_period(cap_of(s.limits.daily_usd));
      s.spent_today.clear();
    }
  };
  return {
    [self, scopes, roll_day](reserve_atom,
                             const budget_request& req) -> budget_grant {
      auto& s = self->state;
      roll_day();
      auto ls = scopes(req.key);
      budget_grant g;
      constexpr std::array<const char*, 3> names{"global", "daily", "key"};
      g.remaining_nanos = unlimited;
      for (std::size_t i = 0; i < ls.size(); ++i) {
        if (ls[i] == nullptr)
          continue;
        if (ls[i]->remaining() < g.remaining_nanos) {
          g.remaining_nanos = ls[i]->remaining();
          if (!ls[i]->fits(req.amount_nanos))
            g.scope_exhausted = names[i];
        }
      }
      for (std::size_t i = 0; i < ls.size(); ++i)
        if (ls[i] != nullptr && !ls[i]->fits(req.amount_nanos)) {
          ++s.refusals;
          g.scope_exhausted = names[i];
          return g;
        }
      g.granted = true;
      g.reservation_ids.assign(ls.size(), 0);
      for (std::size_t i = 0; i < ls.size(); ++i)
        if (ls[i] != nullptr)
          g.reservation_ids[i] = *ls[i]->reserve(req.amount_nanos);
      return g;
    },
    [self, scopes, roll_day](settle_atom, const budget_settlement& x) {
      auto ls = scopes(x.key);
      if (x.reservation_ids.empty() && !x.release) {
        // Made without a reservation (no cap was set): the cost still
        // counts, in every scope.
        roll_day();
        for (auto* l : ls)
          if (l != nullptr)
            l->record_spend(x.actual_nanos);
      }
      for (std::size_t i = 0; i < ls.size() && i < x.reservation_ids.size();
           ++i) {
        if (ls[i] == nullptr || x.reservation_ids[i] == 0)
          continue;
        if (x.release)
          ls[i]->release(x.reservation_ids[i]);
        else
          ls[i]->settle(x.reservation_ids[i], x.actual_nanos);
      }
      auto& s = self->state;
      if (!s.storage || x.release || x.actual_nanos <= 0)
        return;
      roll_day();
      // Absolute totals for today: a write that lands twice does no harm.
      std::vector<ledger_entry> entries;
      auto add = [&](const std::string& scope) {
        auto& total = s.spent_today[scope];
        total += x.actual_nanos;
        entries.push_back({scope, s.day, total});
      };
      add(std::string{global_scope});
      if (!x.key.empty())
        add(key_scope(x.key));
      self
        ->request(s.storage, caf::infinite, ledger_atom::value,
                  std::move(entries))
        .then(
          [self](bool stored) {
            if (!stored)
              ++self->state.persist_failures;
          },
          [self](caf::error&) { ++self->state.persist_failures; });
    },
    [self, roll_day](stats_atom) -> ledger_summary {
      roll_day();
      const auto& s = self->state;
      ledger_summary sum{s.global.spent(), s.global.reserved(),
                         s.global.open_reservations(), s.refusals,
                         status_of(s.global), status_of(s.daily), {}};
      sum.keys.reserve(s.keys.size());
      for (const auto& [key, l] : s.keys)
        sum.keys.push_back({key, status_of(l)});
      std::sort(sum.keys.begin(), sum.keys.end(),
                [](const auto& a, const auto& b) { return a.key < b.key; });
      return sum;
    },
    [self](key_cap_atom, const std::string& key, std::int64_t cap_nanos) {
      auto& s = self->state;
      if (cap_nanos < 0)
        s.key_caps.erase(key);
      else
        s.key_caps[key] = cap_nanos;
      key_ledger(s, key).set_cap(key_cap(s, key));
      publish_caps(s);
    },
    [self](flush_atom) -> caf::typed_response_promise<bool> {
      auto promise = self->make_response_promise<bool>();
      if (!self->state.storage) {
        promise.deliver(true);
        return promise;
      }
      // Behind every spend this ledger sent: the store keeps order.
      self->request(self->state.storage, caf::infinite, flush_atom::value)
        .then([promise](bool ok) mutable { promise.deliver(ok); },
              [promise](caf::error&) mutable { promise.deliver(false); });
      return promise;
    },
  };
}

} // namespace switchyard::actors
