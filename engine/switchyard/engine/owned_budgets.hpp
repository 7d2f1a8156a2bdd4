#pragma once

#include "switchyard/engine/budget_ledger.hpp"
#include "switchyard/engine/money.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace switchyard::engine {

/// The reservations a cluster node holds for the budget scopes it owns,
/// one budget_ledger per scope. A reservation fits when spend (replicated,
/// passed in) + reserved + amount stays within the cap. Reservations are
/// named by the node that asked (`origin`) and a number that node chose
/// (`key`), so that when ownership moves every node can hand its unsettled
/// reservations to the new owner, which counts them whether or not they
/// still fit (they were granted already).
class owned_budgets {
public:
  struct held {
    std::string scope;
    std::uint64_t key = 0;
    usd_nanos amount = 0;
  };

  /// Whether a reservation was granted, and what its scope has left after.
  struct answer {
    bool granted = false;
    usd_nanos remaining = 0;
  };

  /// Asking again under the same name (a retry) is granted when it fits,
  /// without counting the amount twice.
  answer reserve(const std::string& scope, usd_nanos cap, usd_nanos spent,
                 usd_nanos amount, const std::string& origin,
                 std::uint64_t key);

  /// False for an unknown reservation (e.g. granted by a previous owner).
  bool release(const std::string& scope, const std::string& origin,
               std::uint64_t key);

  /// Replaces everything held for `origin` with `all` (what that node says
  /// it holds here now), counted even beyond the caps.
  void replace_origin(const std::string& origin, const std::vector<held>& all);

  [[nodiscard]] usd_nanos reserved(const std::string& scope) const;

  [[nodiscard]] std::size_t open_reservations() const noexcept;

private:
  using holder = std::pair<std::string, std::uint64_t>;

  struct scope_book {
    budget_ledger ledger{0};
    std::map<holder, reservation_id> ids;
  };

  std::map<std::string, scope_book> scopes_;
};

} // namespace switchyard::engine
