#include "switchyard/engine/membership.hpp"

#include <algorithm>

namespace switchyard::engine {

std::string_view to_string(member_state s) noexcept {
  switch (s) {
    case member_state::alive: return "alive";
    case member_state::suspect: return "suspect";
    case member_state::dead: return "dead";
  }
  return "dead";
}

bool membership::learn(const std::string& id, const std::string& address) {
  if (id == self_)
    return false;
  auto [it, added] = peers_.try_emplace(id);
  if (added) {
    it->second.id = id;
    it->second.address = address;
  } else if (it->second.address.empty()) {
    it->second.address = address;
  }
  return added;
}

bool membership::heard(const std::string& id, const std::string& address,
                       const std::string& incarnation, time_point now) {
  if (id == self_)
    return false;
  auto& m = peers_[id];
  bool was_alive = !m.id.empty() && state_of(m, now) != member_state::dead
                   && m.incarnation == incarnation;
  m.id = id;
  if (!address.empty())
    m.address = address;
  m.incarnation = incarnation;
  m.last_heard = now;
  m.down = false;
  return !was_alive;
}

void membership::lost(const std::string& id) {
  if (auto it = peers_.find(id); it != peers_.end())
    it->second.down = true;
}

member_state membership::state_of(const member& m,
                                  time_point now) const noexcept {
  if (m.down)
    return member_state::dead;
  auto silence = now - m.last_heard;
  if (silence >= cfg_.dead_after)
    return member_state::dead;
  if (silence >= cfg_.suspect_after)
    return member_state::suspect;
  return member_state::alive;
}

std::vector<std::string> membership::owners(time_point now) const {
  std::vector<std::string> out{self_};
  for (const auto& [id, m] : peers_)
    if (state_of(m, now) != member_state::dead)
      out.push_back(id);
  return out;
}

bool membership::has_quorum(time_point now) const {
  auto live = owners(now).size();
  auto known = std::max(peers_.size() + 1, min_known_);
  return live * 2 > known;
}

} // namespace switchyard::engine
