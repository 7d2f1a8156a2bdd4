#include "switchyard/engine/budget_ledger.hpp"

namespace switchyard::engine {

std::optional<reservation_id> budget_ledger::reserve(usd_nanos amount) {
  if (!fits(amount))
    return std::nullopt;
  return hold(amount);
}

bool budget_ledger::settle(reservation_id id, usd_nanos actual) {
  auto i = reservations_.find(id);
  if (i == reservations_.end())
    return false;
  reserved_ -= i->second;
  spent_ += actual > 0 ? actual : 0;
  reservations_.erase(i);
  return true;
}

reservation_id budget_ledger::hold(usd_nanos amount) {
  auto id = next_id_++;
  reservations_.emplace(id, amount);
  reserved_ += amount;
  return id;
}

bool budget_ledger::release(reservation_id id) {
  auto i = reservations_.find(id);
  if (i == reservations_.end())
    return false;
  reserved_ -= i->second;
  reservations_.erase(i);
  return true;
}

} // namespace switchyard::engine
