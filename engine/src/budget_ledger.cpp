#include "switchyard/engine/budget_ledger.hpp"

namespace switchyard::engine {

std::optional<reservation_id> budget_ledger::reserve(usd_nanos amount) {
  if (!fits(amount))
    return std::nullopt;
  auto id = next_id_++;
  reservations_.emplace(id, amount);
  reserved_ += amount;
  return id;
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

bool budget_ledger::release(reservation_id id) {
  auto i = reservations_.find(id);
  if (i == reservations_.end())
    return false;
  reserved_ -= i->second;
  reservations_.erase(i);
  return true;
}

bool reserve_all(std::span<budget_ledger* const> ledgers, usd_nanos amount,
                 std::span<reservation_id> ids_out) {
  if (ids_out.size() < ledgers.size())
    return false;
  for (auto* l : ledgers)
    if (!l->fits(amount))
      return false;
  for (std::size_t i = 0; i < ledgers.size(); ++i)
    ids_out[i] = *ledgers[i]->reserve(amount);
  return true;
}

} // namespace switchyard::engine
