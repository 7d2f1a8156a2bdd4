#include "switchyard/engine/cluster_budgets.hpp"

#include <algorithm>

namespace switchyard::engine {

std::vector<budget_scope> scopes_for(const budget_caps& caps,
                                     const std::string& key,
                                     std::int64_t utc_day) {
  std::vector<budget_scope> out;
  if (caps.global)
    out.push_back({global_scope_name(), *caps.global});
  if (caps.daily)
    out.push_back({daily_scope_name(utc_day), *caps.daily});
  if (caps.per_key && !key.empty())
    out.push_back({key_scope_name(key), *caps.per_key});
  return out;
}

std::optional<usd_nanos> cap_of_scope(const budget_caps& caps,
                                      const std::string& name) {
  auto kind = kind_of_scope(name);
  return kind ? caps.of(*kind) : std::nullopt;
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

} // namespace switchyard::engine
