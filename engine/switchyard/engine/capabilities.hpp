#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchyard::engine {

/// What a model can do. A request names the capabilities it needs; a model
/// lacking one is filtered out.
enum class capability : std::uint8_t {
  vision = 1u << 0,
  tools = 1u << 1,
  json = 1u << 2,
  streaming = 1u << 3,
  reasoning = 1u << 4,
  code = 1u << 5,
};

inline constexpr std::array<std::string_view, 6> capability_names{
  "vision", "tools", "json", "streaming", "reasoning", "code"};

/// A set of capabilities as a bit mask.
class capability_set {
public:
  constexpr capability_set() noexcept = default;

  constexpr explicit capability_set(std::uint8_t bits) noexcept : bits_(bits) {
  }

  constexpr capability_set& add(capability c) noexcept {
    bits_ = static_cast<std::uint8_t>(bits_ | static_cast<std::uint8_t>(c));
    return *this;
  }

  [[nodiscard]] constexpr capability_set
  merge(capability_set other) const noexcept {
    return capability_set{static_cast<std::uint8_t>(bits_ | other.bits_)};
  }

  [[nodiscard]] constexpr bool has(capability c) const noexcept {
    return (bits_ & static_cast<std::uint8_t>(c)) != 0;
  }

  /// Whether every capability in `required` is also in this set.
  [[nodiscard]] constexpr bool covers(capability_set required) const noexcept {
    return (bits_ & required.bits_) == required.bits_;
  }

  /// The capabilities of `required` that this set lacks.
  [[nodiscard]] constexpr capability_set
  missing(capability_set required) const noexcept {
    return capability_set{
      static_cast<std::uint8_t>(required.bits_ & ~bits_)};
  }

  [[nodiscard]] constexpr bool empty() const noexcept {
    return bits_ == 0;
  }

  [[nodiscard]] constexpr std::uint8_t bits() const noexcept {
    return bits_;
  }

  friend constexpr bool operator==(capability_set, capability_set) = default;

  /// Serialisation hook (CAF's inspect convention); needs no CAF header.
  template <class Inspector>
  friend auto inspect(Inspector& f, capability_set& x) {
    return f(x.bits_);
  }

private:
  std::uint8_t bits_ = 0;
};

[[nodiscard]] constexpr std::optional<capability>
parse_capability(std::string_view s) noexcept {
  for (std::size_t i = 0; i < capability_names.size(); ++i)
    if (capability_names[i] == s)
      return static_cast<capability>(1u << i);
  return std::nullopt;
}

} // namespace switchyard::engine
