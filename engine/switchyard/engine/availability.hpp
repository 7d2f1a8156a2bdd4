#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace switchyard::engine {

/// Why a provider or a model cannot take calls now, as routing reads it.
/// Zero means it can. The router filters what cannot answer before traffic
/// finds out (DESIGN.md, "first contact").
enum class unavailability : std::uint8_t {
  none = 0,
  /// The provider's key variable is unset.
  no_credentials,
  /// Its base URL or TLS material is unusable.
  invalid_config,
  /// A local server did not answer its discovery or health probe.
  unreachable,
  /// The local server answers but does not serve this model.
  not_served,
  /// A local server that has not been asked yet: no routing there until it
  /// has said what it serves.
  not_known_yet,
};

inline constexpr std::array<std::string_view, 6> unavailability_names{
  "available", "no_credentials", "invalid_config", "unreachable",
  "not_served", "not_known_yet"};

[[nodiscard]] constexpr std::string_view to_string(unavailability u) noexcept {
  auto i = static_cast<std::size_t>(u);
  return i < unavailability_names.size() ? unavailability_names[i] : "?";
}

} // namespace switchyard::engine
