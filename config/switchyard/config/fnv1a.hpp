#pragma once

#include <cstdint>
#include <string_view>

namespace switchyard::config {

/// 64-bit FNV-1a. Not cryptographic: it tells configurations apart in decision
/// logs, and is the same on every platform and run.
[[nodiscard]] constexpr std::uint64_t fnv1a_64(std::string_view text) noexcept {
  // Offset basis and prime from the FNV reference (Fowler, Noll, Vo).
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

} // namespace switchyard::config
