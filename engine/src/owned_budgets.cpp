#include "switchyard/engine/owned_budgets.hpp"

#include <algorithm>

namespace switchyard::engine {

owned_budgets::answer owned_budgets::reserve(const std::string& scope,
                                             usd_nanos cap, usd_nanos spent,
                                             usd_nanos amount,
                                             const std::string& origin,
                                             std::uint64_t key) {
  auto& s = scopes_[scope];
  s.ledger.set_cap(cap);
  s.ledger.set_spent(spent);
  if (!s.ledger.fits(amount))
    return {false, s.ledger.remaining()};
  if (!s.ids.contains(holder{origin, key})) // else a retry: already counted
    s.ids.emplace(holder{origin, key}, *s.ledger.reserve(amount));
  return {true, s.ledger.remaining()};
}

bool owned_budgets::release(const std::string& scope, const std::string& origin,
                            std::uint64_t key) {
  auto it = scopes_.find(scope);
  if (it == scopes_.end())
    return false;
  auto r = it->second.ids.find(holder{origin, key});
  if (r == it->second.ids.end())
    return false;
  it->second.ledger.release(r->second);
  it->second.ids.erase(r);
  return true;
}

void owned_budgets::replace_origin(const std::string& origin,
                                   const std::vector<held>& all) {
  for (auto& [name, s] : scopes_)
    for (auto r = s.ids.begin(); r != s.ids.end();)
      if (r->first.first == origin) {
        s.ledger.release(r->second);
        r = s.ids.erase(r);
      } else {
        ++r;
      }
  for (const auto& h : all) {
    auto& s = scopes_[h.scope];
    if (!s.ids.contains(holder{origin, h.key}))
      s.ids.emplace(holder{origin, h.key},
                    s.ledger.hold(std::max<usd_nanos>(h.amount, 0)));
  }
}

usd_nanos owned_budgets::reserved(const std::string& scope) const {
  auto it = scopes_.find(scope);
  return it == scopes_.end() ? 0 : it->second.ledger.reserved();
}

std::size_t owned_budgets::open_reservations() const noexcept {
  std::size_t n = 0;
  for (const auto& [name, s] : scopes_)
    n += s.ids.size();
  return n;
}

} // namespace switchyard::engine
