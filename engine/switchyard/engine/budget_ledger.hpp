#pragma once

#include "switchyard/engine/money.hpp"

#include <cstdint>
#include <optional>
#include <unordered_map>

namespace switchyard::engine {

using reservation_id = std::uint64_t;

/// One budget: a cap, what has been spent, and what is reserved for calls in
/// flight. A call reserves its worst-case cost first and settles its real
/// cost afterwards, so concurrent calls can never commit more than the cap:
/// `spent + reserved <= cap` holds after every successful reserve.
class budget_ledger {
public:
  explicit budget_ledger(usd_nanos cap) noexcept : cap_(cap) {
  }

  /// Reserves `amount` if it fits under the cap. Amounts must be >= 0.
  [[nodiscard]] std::optional<reservation_id> reserve(usd_nanos amount);

  /// Whether `amount` would fit now.
  [[nodiscard]] bool fits(usd_nanos amount) const noexcept {
    return amount >= 0 && spent_ + reserved_ + amount <= cap_;
  }

  /// Turns a reservation into spending of `actual`. A provider may bill more
  /// than was reserved (it ignored max_tokens); the overrun is recorded, not
  /// hidden, and counts against later reservations. Returns false for an
  /// unknown id.
  bool settle(reservation_id id, usd_nanos actual);

  /// Drops a reservation whose call never went out. False for an unknown id.
  bool release(reservation_id id);

  /// Counts a reservation granted elsewhere (by a budget's previous owner in
  /// a cluster) whether or not it fits: it was granted already.
  reservation_id hold(usd_nanos amount);

  /// Records spending that had no reservation (e.g. replicated from a peer).
  void record_spend(usd_nanos amount) noexcept {
    spent_ += amount;
  }

  /// Takes the spending as counted elsewhere (a cluster's replicated
  /// totals); reservations stay.
  void set_spent(usd_nanos total) noexcept {
    spent_ = total;
  }

  /// Starts a new period (a new day): spending resets, reservations stay.
  void start_period(usd_nanos cap) noexcept {
    cap_ = cap;
    spent_ = 0;
  }

  /// Changes the cap; spending and reservations stay.
  void set_cap(usd_nanos cap) noexcept {
    cap_ = cap;
  }

  [[nodiscard]] usd_nanos cap() const noexcept {
    return cap_;
  }
  [[nodiscard]] usd_nanos spent() const noexcept {
    return spent_;
  }
  [[nodiscard]] usd_nanos reserved() const noexcept {
    return reserved_;
  }
  /// Never negative.
  [[nodiscard]] usd_nanos remaining() const noexcept {
    auto left = cap_ - spent_ - reserved_;
    return left > 0 ? left : 0;
  }
  [[nodiscard]] std::size_t open_reservations() const noexcept {
    return reservations_.size();
  }

private:
  usd_nanos cap_;
  usd_nanos spent_ = 0;
  usd_nanos reserved_ = 0;
  reservation_id next_id_ = 1;
  std::unordered_map<reservation_id, usd_nanos> reservations_;
};

} // namespace switchyard::engine
