#pragma once

#include "switchyard/engine/budget_caps.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/engine/owned_budgets.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::engine {

/// A budget a task counts against, named the same on every node so that
/// the hash ring gives it one owner: "global", "daily:<utc day>",
/// "key:<budget key>".
struct budget_scope {
  std::string name;
  usd_nanos cap = 0;
};

/// The capped budgets a task with `key` counts against on `utc_day`.
[[nodiscard]] std::vector<budget_scope>
scopes_for(const budget_caps& caps, const std::string& key,
           std::int64_t utc_day);

/// The cap of a scope by its name; none for an unknown or unlimited one.
[[nodiscard]] std::optional<usd_nanos> cap_of_scope(const budget_caps& caps,
                                                    const std::string& name);

/// Settled spend per scope, kept per origin (node incarnation) as running
/// totals that only grow. Totals merge by maximum, so they can be applied
/// twice and in any order; a scope's spend is the sum over its origins.
/// Every node holds a copy: a new owner of a scope rebuilds its balance
/// from it.
class replicated_spend {
public:
  struct total {
    std::string origin;
    std::string scope;
    usd_nanos nanos = 0;
  };

  /// Keeps the larger total; true when it grew.
  bool apply(const total& t);

  /// Adds local spend; returns the origin's new total for the scope.
  total add_local(const std::string& origin, const std::string& scope,
                  usd_nanos amount);

  [[nodiscard]] usd_nanos spent(const std::string& scope) const;

  [[nodiscard]] std::vector<total> all() const;

private:
  /// scope -> origin -> total
  std::map<std::string, std::map<std::string, usd_nanos>> totals_;
};

} // namespace switchyard::engine
