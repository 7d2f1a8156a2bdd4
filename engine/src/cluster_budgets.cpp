#include "switchyard/engine/cluster_budgets.hpp"

#include <algorithm>

namespace switchyard::engine {

std::vector<budget_scope> scopes_for(const budget_caps& caps,
                                     const std::string& key,
                                     std::int64_t utc_day) {
  std::vector<budget_scope> out;
  if (caps.global)
    out.push_back({"global", *caps.global});
  if (caps.daily)
    out.push_back({"daily:" + std::to_string(utc_day), *caps.daily});
  if (caps.per_key && !key.empty())
    out.push_back({"key:" + key, *caps.per_key});
  return out;
}

std::optional<usd_nanos> cap_of_scope(const budget_caps& caps,
                                      const std::string& name) {
  if (name == "global")
    return caps.global;
  if (name.rfind("daily:", 0) == 0)
    return caps.daily;
  if (name.rfind("key:", 0) == 0)
    return caps.per_key;
  return std::nullopt;
}

bool replicated_spend::apply(const total& t) {
  auto& mine = totals_[t.scope][t.origin];
  if (t.nanos <= mine)
    return false;
  mine = t.nanos;
  return true;
}

replicated_spend::total replicated_spend::add_local(const std::string& origin,
                                                    const std::string& scope,
                                                    usd_nanos amount) {
  auto& mine = totals_[scope][origin];
  mine += std::max<usd_nanos>(amount, 0);
  return {origin, scope, mine};
}

usd_nanos replicated_spend::spent(const std::string& scope) const {
  auto it = totals_.find(scope);
  if (it == totals_.end())
    return 0;
  usd_nanos sum = 0;
  for (const auto& [origin, nanos] : it->second)
    sum += nanos;
  return sum;
}

std::vector<replicated_spend::total> replicated_spend::all() const {
  std::vector<total> out;
  for (const auto& [scope, origins] : totals_)
    for (const auto& [origin, nanos] : origins)
      out.push_back({origin, scope, nanos});
  return out;
}

bool owned_budgets::reserve(const std::string& scope, usd_nanos cap,
                            usd_nanos spent, usd_nanos amount,
                            const std::string& origin, std::uint64_t key) {
  auto& s = scopes_[scope];
  if (amount < 0 || spent + s.reserved + amount > cap)
    return false;
  auto [at, added] = s.open.emplace(std::pair{origin, key}, amount);
  if (!added)
    return true; // asked again (a retry): already counted
  s.reserved += amount;
  return true;
}

bool owned_budgets::release(const std::string& scope, const std::string& origin,
                            std::uint64_t key) {
  auto it = scopes_.find(scope);
  if (it == scopes_.end())
    return false;
  auto r = it->second.open.find(std::pair{origin, key});
  if (r == it->second.open.end())
    return false;
  it->second.reserved -= r->second;
  it->second.open.erase(r);
  return true;
}

void owned_budgets::replace_origin(const std::string& origin,
                                   const std::vector<held>& all) {
  for (auto& [name, s] : scopes_)
    for (auto r = s.open.begin(); r != s.open.end();)
      if (r->first.first == origin) {
        s.reserved -= r->second;
        r = s.open.erase(r);
      } else {
        ++r;
      }
  for (const auto& h : all) {
    auto& s = scopes_[h.scope];
    auto [at, added] = s.open.emplace(std::pair{origin, h.key},
                                      std::max<usd_nanos>(h.amount, 0));
    if (added)
      s.reserved += at->second;
  }
}

usd_nanos owned_budgets::reserved(const std::string& scope) const {
  auto it = scopes_.find(scope);
  return it == scopes_.end() ? 0 : it->second.reserved;
}

std::size_t owned_budgets::open_reservations() const noexcept {
  std::size_t n = 0;
  for (const auto& [name, s] : scopes_)
    n += s.open.size();
  return n;
}

std::vector<std::string> owned_budgets::scopes() const {
  std::vector<std::string> out;
  for (const auto& [name, s] : scopes_)
    out.push_back(name);
  return out;
}

} // namespace switchyard::engine
