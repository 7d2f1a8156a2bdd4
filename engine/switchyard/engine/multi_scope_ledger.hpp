#pragma once

#include "switchyard/engine/budget_caps.hpp"
#include "switchyard/engine/budget_ledger.hpp"
#include "switchyard/engine/budget_scope_kind.hpp"
#include "switchyard/engine/money.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace switchyard::engine {

/// A reservation in every scope a call counts against, or the refusal.
struct budget_reservation {
  bool granted = false;
  /// One id per scope, indexed by budget_scope_kind; 0 where nothing was
  /// reserved (a call without a budget key has no key scope).
  std::array<reservation_id, budget_scope_count> ids{};
  /// The least any of the call's scopes had left before this reservation.
  usd_nanos remaining = 0;
  /// The first scope (in budget_scope_kind order) that cannot cover it.
  std::optional<budget_scope_kind> refused_by;
};

/// One scope's balance, for reports. No cap: unlimited.
struct budget_balance {
  usd_nanos spent = 0;
  usd_nanos reserved = 0;
  std::size_t open_reservations = 0;
  std::optional<usd_nanos> cap;
};

struct key_balance {
  std::string key;
  budget_balance balance;
};

/// Settled spend of one scope ("global", "key:<key>") on one day, as the
/// store keeps it: an absolute total, so writing it twice does no harm.
struct day_spend {
  std::string scope;
  std::int64_t day = 0;
  usd_nanos nanos = 0;
};

/// The budgets of one node: the global one (over all days), today's (UTC)
/// and one per budget key. A call reserves its worst-case cost in every
/// scope it touches or in none, so concurrent calls never commit more than
/// any cap. Never reads a clock: callers pass the day (days since the Unix
/// epoch, UTC).
///
/// A key's cap is its own (set_key_cap), else the caps' per-key one, else
/// none. Every key that reserved, spent or got a cap has a scope.
class multi_scope_ledger {
public:
  explicit multi_scope_ledger(budget_caps caps = {}, std::int64_t day = 0);

  // -- the day ----------------------------------------------------------------

  /// Moves to `day`. A new day restarts the daily budget's spending (its
  /// reservations stay: their calls are still out) and today's totals for
  /// the store. Returns whether the day changed.
  bool roll_to(std::int64_t day);

  [[nodiscard]] std::int64_t day() const noexcept {
    return day_;
  }

  // -- caps -------------------------------------------------------------------

  /// Gives `key` a cap of its own, or with none takes it away (the per-key
  /// cap applies again). Reservations held stay, even above the new cap.
  void set_key_cap(const std::string& key, std::optional<usd_nanos> cap);

  /// Whether any scope has a cap. While none has, callers may skip the
  /// reservation and only record what was spent.
  [[nodiscard]] bool any_cap() const noexcept {
    return caps_.any() || !key_caps_.empty();
  }

  // -- reserving and settling -------------------------------------------------

  /// Reserves `amount` (>= 0) in the global, the daily and, with a key, the
  /// key's scope, or refuses with the first scope that cannot cover it and
  /// reserves nothing.
  budget_reservation reserve(const std::string& key, usd_nanos amount);

  /// Turns the reservations `ids` (as reserve returned them) into spending
  /// of `actual` in each of their scopes. Unknown or zero ids are skipped.
  void settle(const std::string& key, std::span<const reservation_id> ids,
              usd_nanos actual);

  /// Drops the reservations `ids` of a call that never went out.
  void release(const std::string& key, std::span<const reservation_id> ids);

  /// Records spending made without a reservation (while no cap was set) in
  /// every scope of the call.
  void record_spend(const std::string& key, usd_nanos amount);

  // -- the store --------------------------------------------------------------

  /// Counts spend stored before a restart: the global and key scopes over
  /// all days, the daily one and today's totals when it is today's.
  /// Other scopes are ignored.
  void restore(const day_spend& stored);

  /// Adds settled spend to today's totals of the stored scopes (global and
  /// the key's) and returns those totals, for the store.
  std::vector<day_spend> add_to_day_totals(const std::string& key,
                                           usd_nanos amount);

  // -- reports ----------------------------------------------------------------

  [[nodiscard]] budget_balance global() const {
    return balance_of(global_);
  }

  /// Today's.
  [[nodiscard]] budget_balance daily() const {
    return balance_of(daily_);
  }

  /// Sorted by key.
  [[nodiscard]] std::vector<key_balance> keys() const;

  /// Reservations refused so far.
  [[nodiscard]] std::uint64_t refusals() const noexcept {
    return refusals_;
  }

private:
  [[nodiscard]] static budget_balance balance_of(const budget_ledger& l);

  [[nodiscard]] usd_nanos key_cap(const std::string& key) const;

  budget_ledger& key_ledger(const std::string& key);

  /// The ledgers of a call's scopes, by kind; null where it has none.
  std::array<budget_ledger*, budget_scope_count>
  scopes_of(const std::string& key);

  budget_caps caps_;
  std::int64_t day_;
  budget_ledger global_;
  budget_ledger daily_;
  std::map<std::string, budget_ledger> keys_;
  /// Keys' own caps.
  std::map<std::string, usd_nanos> key_caps_;
  /// Today's settled spend per stored scope.
  std::map<std::string, usd_nanos> day_totals_;
  std::uint64_t refusals_ = 0;
};

} // namespace switchyard::engine
