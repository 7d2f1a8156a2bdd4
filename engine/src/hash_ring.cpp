#include "switchyard/engine/hash_ring.hpp"

#include <algorithm>

namespace switchyard::engine {

std::uint64_t stable_hash(std::string_view text) noexcept {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  // FNV spreads short, similar keys poorly in the high bits: finish with
  // a murmur-style mix.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

void hash_ring::assign(const std::vector<std::string>& members) {
  members_ = members;
  std::sort(members_.begin(), members_.end());
  members_.erase(std::unique(members_.begin(), members_.end()), members_.end());
  points_.clear();
  points_.reserve(members_.size() * virtual_nodes_);
  for (std::uint32_t m = 0; m < members_.size(); ++m)
    for (std::size_t v = 0; v < virtual_nodes_; ++v)
      points_.push_back(
        {stable_hash(members_[m] + "#" + std::to_string(v)), m});
  std::sort(points_.begin(), points_.end(), [](const point& a, const point& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.member < b.member;
  });
}

const std::string& hash_ring::owner(std::string_view key) const noexcept {
  static const std::string none;
  if (points_.empty())
    return none;
  auto h = stable_hash(key);
  auto it = std::lower_bound(points_.begin(), points_.end(), h,
                             [](const point& p, std::uint64_t x) {
                               return p.hash < x;
                             });
  if (it == points_.end())
    it = points_.begin();
  return members_[it->member];
}

} // namespace switchyard::engine
