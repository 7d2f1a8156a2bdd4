#include "switchyard/actors/ledger_actor.hpp"

#include <chrono>
#include <limits>

namespace switchyard::actors {

namespace {

constexpr engine::usd_nanos unlimited = std::numeric_limits<engine::usd_nanos>::max() / 4;

engine::usd_nanos cap_of(const std::optional<double>& usd) {
  return usd ? engine::usd_to_nanos_ceil(*usd) : unlimited;
}

std::int64_t utc_day() {
  using namespace std::chrono;
  return duration_cast<hours>(system_clock::now().time_since_epoch()).count()
         / 24;
}

} // namespace

ledger_actor::behavior_type
ledger(ledger_actor::stateful_pointer<ledger_state> self, budget_limits limits) {
  auto& st = self->state;
  st.limits = limits;
  st.global = engine::budget_ledger{cap_of(limits.global_usd)};
  st.daily = engine::budget_ledger{cap_of(limits.daily_usd)};
  st.day = utc_day();
  // Scopes in a fixed order; a grant holds one id per scope (0: unused).
  auto scopes = [self](const std::string& key) {
    auto& s = self->state;
    std::array<engine::budget_ledger*, 3> ls{&s.global, &s.daily, nullptr};
    if (s.limits.per_key_usd && !key.empty())
      ls[2] = &s.keys.try_emplace(key, cap_of(s.limits.per_key_usd)).first->second;
    return ls;
  };
  return {
    [self, scopes](reserve_atom, const budget_request& req) -> budget_grant {
      auto& s = self->state;
      if (auto today = utc_day(); today != s.day) {
        s.day = today;
        s.daily.start_period(cap_of(s.limits.daily_usd));
      }
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
    [self, scopes](settle_atom, const budget_settlement& x) {
      auto ls = scopes(x.key);
      for (std::size_t i = 0; i < ls.size() && i < x.reservation_ids.size();
           ++i) {
        if (ls[i] == nullptr || x.reservation_ids[i] == 0)
          continue;
        if (x.release)
          ls[i]->release(x.reservation_ids[i]);
        else
          ls[i]->settle(x.reservation_ids[i], x.actual_nanos);
      }
    },
    [self](stats_atom) -> ledger_summary {
      const auto& s = self->state;
      return {s.global.spent(), s.global.reserved(),
              s.global.open_reservations(), s.refusals};
    },
  };
}

} // namespace switchyard::actors
