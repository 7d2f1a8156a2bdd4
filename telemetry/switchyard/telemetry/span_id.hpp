#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::telemetry {

/// A W3C Trace Context / OpenTelemetry span id (`parent-id` in
/// `traceparent`): 8 bytes. All zeros is invalid, and marks "no parent" in a
/// span.
struct span_id {
  std::array<std::uint8_t, 8> bytes{};

  /// Not all zeros.
  [[nodiscard]] bool valid() const noexcept;

  /// 16 lowercase hex digits.
  [[nodiscard]] std::string to_hex() const;

  void append_hex(std::string& out) const;

  /// Exactly 16 lowercase hex digits; all zeros parse, so check `valid()`.
  [[nodiscard]] static std::optional<span_id>
  from_hex(std::string_view hex) noexcept;

  friend bool operator==(const span_id&, const span_id&) = default;
};

} // namespace switchyard::telemetry
