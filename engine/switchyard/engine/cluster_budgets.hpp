#pragma once

#include "switchyard/engine/budget_ledger.hpp"
#include "switchyard/engine/money.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::engine {

/// Caps in nanodollars; none means that budget is unlimited.
struct budget_caps {
  std::optional<usd_nanos> global;
  std::optional<usd_nanos> daily;
  std::optional<usd_nanos> per_key;
};

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

/// The reservations an owner holds for the scopes it owns. A reservation
/// fits when spend (replicated) + reserved + amount stays within the cap.
/// Reservations are named by the node that asked (`origin`) and a number
/// that node chose (`key`), so that when ownership moves every node can
/// hand its unsettled reservations to the new owner, which counts them
/// whether or not they still fit (they were granted already).
class owned_budgets {
public:
  struct held {
    std::string scope;
    std::uint64_t key = 0;
    usd_nanos amount = 0;
  };

  /// True when granted.
  bool reserve(const std::string& scope, usd_nanos cap, usd_nanos spent,
               usd_nanos amount, const std::string& origin, std::uint64_t key);

  /// False for an unknown reservation (e.g. granted by a previous owner).
  bool release(const std::string& scope, const std::string& origin,
               std::uint64_t key);

  /// Replaces everything held for `origin` with `all` (what that node says
  /// it holds here now), counted even beyond the caps.
  void replace_origin(const std::string& origin, const std::vector<held>& all);

  [[nodiscard]] usd_nanos reserved(const std::string& scope) const;

  [[nodiscard]] std::size_t open_reservations() const noexcept;

  /// Scopes with reservations in flight.
  [[nodiscard]] std::vector<std::string> scopes() const;

private:
  struct scope_state {
    usd_nanos reserved = 0;
    std::map<std::pair<std::string, std::uint64_t>, usd_nanos> open;
  };
  std::map<std::string, scope_state> scopes_;
};

} // namespace switchyard::engine
