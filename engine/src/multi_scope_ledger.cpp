#include "switchyard/engine/multi_scope_ledger.hpp"

#include <algorithm>
#include <limits>

namespace switchyard::engine {

namespace {

/// The cap of a scope without one: far above any real spend, and far enough
/// below the type's maximum that spent + reserved + amount cannot overflow.
constexpr usd_nanos unlimited = std::numeric_limits<usd_nanos>::max() / 4;

usd_nanos cap_or_unlimited(const std::optional<usd_nanos>& cap) {
  return cap ? *cap : unlimited;
}

constexpr budget_scope_kind kind_at(std::size_t i) {
  return static_cast<budget_scope_kind>(i);
}

} // namespace

multi_scope_ledger::multi_scope_ledger(budget_caps caps, std::int64_t day)
  : caps_(caps),
    day_(day),
    global_(cap_or_unlimited(caps.global)),
    daily_(cap_or_unlimited(caps.daily)) {
}

// -- the day ------------------------------------------------------------------

bool multi_scope_ledger::roll_to(std::int64_t day) {
  if (day == day_)
    return false;
  day_ = day;
  daily_.start_period(cap_or_unlimited(caps_.daily));
  day_totals_.clear();
  return true;
}

// -- caps ---------------------------------------------------------------------

void multi_scope_ledger::set_key_cap(const std::string& key,
                                     std::optional<usd_nanos> cap) {
  if (cap)
    key_caps_[key] = *cap;
  else
    key_caps_.erase(key);
  key_ledger(key).set_cap(key_cap(key));
}

usd_nanos multi_scope_ledger::key_cap(const std::string& key) const {
  if (auto i = key_caps_.find(key); i != key_caps_.end())
    return i->second;
  return cap_or_unlimited(caps_.per_key);
}

budget_ledger& multi_scope_ledger::key_ledger(const std::string& key) {
  auto i = keys_.find(key);
  if (i == keys_.end())
    i = keys_.emplace(key, budget_ledger{key_cap(key)}).first;
  return i->second;
}

std::array<budget_ledger*, budget_scope_count>
multi_scope_ledger::scopes_of(const std::string& key) {
  return {&global_, &daily_, key.empty() ? nullptr : &key_ledger(key)};
}

// -- reserving and settling ---------------------------------------------------

budget_reservation multi_scope_ledger::reserve(const std::string& key,
                                               usd_nanos amount) {
  auto scopes = scopes_of(key);
  budget_reservation r;
  r.remaining = unlimited;
  for (std::size_t i = 0; i < scopes.size(); ++i) {
    if (scopes[i] == nullptr)
      continue;
    r.remaining = std::min(r.remaining, scopes[i]->remaining());
    if (!r.refused_by && !scopes[i]->fits(amount))
      r.refused_by = kind_at(i);
  }
  if (r.refused_by) {
    ++refusals_;
    return r;
  }
  // Every scope fits, so every reserve succeeds.
  for (std::size_t i = 0; i < scopes.size(); ++i)
    if (scopes[i] != nullptr)
      r.ids[i] = *scopes[i]->reserve(amount);
  r.granted = true;
  return r;
}

void multi_scope_ledger::settle(const std::string& key,
                                std::span<const reservation_id> ids,
                                usd_nanos actual) {
  auto scopes = scopes_of(key);
  for (std::size_t i = 0; i < scopes.size() && i < ids.size(); ++i)
    if (scopes[i] != nullptr && ids[i] != 0)
      scopes[i]->settle(ids[i], actual);
}

void multi_scope_ledger::release(const std::string& key,
                                 std::span<const reservation_id> ids) {
  auto scopes = scopes_of(key);
  for (std::size_t i = 0; i < scopes.size() && i < ids.size(); ++i)
    if (scopes[i] != nullptr && ids[i] != 0)
      scopes[i]->release(ids[i]);
}

void multi_scope_ledger::record_spend(const std::string& key,
                                      usd_nanos amount) {
  for (auto* scope : scopes_of(key))
    if (scope != nullptr)
      scope->record_spend(amount);
}

// -- the store ----------------------------------------------------------------

void multi_scope_ledger::restore(const day_spend& stored) {
  auto kind = kind_of_scope(stored.scope);
  if (kind == budget_scope_kind::global) {
    global_.record_spend(stored.nanos);
    if (stored.day == day_) {
      daily_.record_spend(stored.nanos);
      day_totals_[stored.scope] = stored.nanos;
    }
  } else if (kind == budget_scope_kind::key) {
    key_ledger(std::string{key_of_scope(stored.scope)})
      .record_spend(stored.nanos);
    if (stored.day == day_)
      day_totals_[stored.scope] = stored.nanos;
  }
}

std::vector<day_spend>
multi_scope_ledger::add_to_day_totals(const std::string& key,
                                      usd_nanos amount) {
  std::vector<day_spend> out;
  auto add = [&](std::string scope) {
    auto& total = day_totals_[scope];
    total += amount;
    out.push_back({std::move(scope), day_, total});
  };
  add(global_scope_name());
  if (!key.empty())
    add(key_scope_name(key));
  return out;
}

// -- reports ------------------------------------------------------------------

budget_balance multi_scope_ledger::balance_of(const budget_ledger& l) {
  budget_balance b{l.spent(), l.reserved(), l.open_reservations(), {}};
  if (l.cap() < unlimited)
    b.cap = l.cap();
  return b;
}

std::vector<key_balance> multi_scope_ledger::keys() const {
  std::vector<key_balance> out;
  out.reserve(keys_.size());
  for (const auto& [key, l] : keys_)
    out.push_back({key, balance_of(l)});
  return out;
}

} // namespace switchyard::engine
