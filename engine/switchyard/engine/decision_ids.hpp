#pragma once

#include "switchyard/engine/hash_ring.hpp"

#include <cstdint>
#include <string_view>

namespace switchyard::engine {

/// Decision ids in a cluster: the top 16 bits name the node that made the
/// decision, so that any node can tell where feedback for it belongs; the
/// low 48 bits count up on that node. Outside a cluster the top bits are 0.
inline constexpr unsigned decision_node_shift = 48;
inline constexpr std::uint64_t decision_counter_mask
  = (std::uint64_t{1} << decision_node_shift) - 1;

/// Set in the ids of a plan's steps, which run as tasks of their own but
/// are never logged: below the node bits, far above any task count.
inline constexpr std::uint64_t plan_step_id_bit = std::uint64_t{1} << 47;

/// The top bits of every decision id a node named `node_id` makes: a stable
/// hash of the name, never 0 (two names share one with odds 1 in 65535; the
/// cluster actor reports such a clash).
[[nodiscard]] inline std::uint64_t
decision_id_prefix(std::string_view node_id) noexcept {
  auto tag = stable_hash(node_id) & 0xffff;
  if (tag == 0)
    tag = 1;
  return tag << decision_node_shift;
}

/// The node part of a decision id (0 for ids made outside a cluster).
[[nodiscard]] constexpr std::uint64_t
decision_prefix_of(std::uint64_t decision_id) noexcept {
  return decision_id & ~decision_counter_mask;
}

} // namespace switchyard::engine
