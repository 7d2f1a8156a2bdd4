#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::telemetry {

/// A W3C Trace Context / OpenTelemetry trace id: 16 bytes, in the order its
/// hex form is written. All zeros is the invalid id (W3C Trace Context,
/// `trace-id`).
struct trace_id {
  std::array<std::uint8_t, 16> bytes{};

  /// Not all zeros.
  [[nodiscard]] bool valid() const noexcept;

  /// 32 lowercase hex digits, as `traceparent` and OTLP/JSON write it.
  [[nodiscard]] std::string to_hex() const;

  void append_hex(std::string& out) const;

  /// The rightmost 7 bytes as an integer below 2^56: the randomness that
  /// W3C Trace Context Level 2 guarantees and the sampler compares.
  [[nodiscard]] std::uint64_t randomness() const noexcept;

  /// Exactly 32 lowercase hex digits (W3C refuses uppercase); all zeros
  /// parse, so check `valid()`.
  [[nodiscard]] static std::optional<trace_id>
  from_hex(std::string_view hex) noexcept;

  friend bool operator==(const trace_id&, const trace_id&) = default;
};

} // namespace switchyard::telemetry
