#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

/// 64-bit FNV-1a: the same on every node and every build, unlike std::hash.
[[nodiscard]] std::uint64_t stable_hash(std::string_view text) noexcept;

/// Consistent hashing with virtual nodes: maps keys (budget scopes) to
/// members. When a member leaves, only its keys move, spread over the rest.
class hash_ring {
public:
  /// Points per member; more spread keys more evenly.
  explicit hash_ring(std::size_t virtual_nodes = 64) noexcept
    : virtual_nodes_(virtual_nodes) {
  }

  /// Rebuilds the ring for exactly these members (order does not matter).
  void assign(const std::vector<std::string>& members);

  /// The member that owns `key`; empty when the ring is empty.
  [[nodiscard]] const std::string& owner(std::string_view key) const noexcept;

  [[nodiscard]] const std::vector<std::string>& members() const noexcept {
    return members_;
  }

private:
  struct point {
    std::uint64_t hash;
    std::uint32_t member;
  };
  std::size_t virtual_nodes_;
  std::vector<std::string> members_;
  std::vector<point> points_;
};

} // namespace switchyard::engine
