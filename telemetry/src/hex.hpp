#pragma once

// Lowercase hex for the ids, shared by trace_id.cpp, span_id.cpp and
// trace_context.cpp. Internal to the telemetry component.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::telemetry::detail {

inline constexpr char hex_digits[] = "0123456789abcdef";

/// Writes the 2n hex digits of `bytes[0..n)` at `out`.
inline void write_hex(char* out, const std::uint8_t* bytes,
                      std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = hex_digits[bytes[i] >> 4];
    out[2 * i + 1] = hex_digits[bytes[i] & 0x0f];
  }
}

inline void append_hex(std::string& out, const std::uint8_t* bytes,
                       std::size_t n) {
  auto at = out.size();
  out.resize(at + 2 * n);
  write_hex(out.data() + at, bytes, n);
}

/// The value of a lowercase hex digit, or -1 (W3C Trace Context refuses
/// uppercase).
[[nodiscard]] constexpr int lower_hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/// Parses exactly 2n lowercase hex digits into `out[0..n)`.
[[nodiscard]] inline bool parse_lower_hex(std::string_view text,
                                          std::uint8_t* out,
                                          std::size_t n) noexcept {
  if (text.size() != 2 * n)
    return false;
  for (std::size_t i = 0; i < n; ++i) {
    auto hi = lower_hex_value(text[2 * i]);
    auto lo = lower_hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return true;
}

[[nodiscard]] inline bool all_zero(const std::uint8_t* bytes,
                                   std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i)
    if (bytes[i] != 0)
      return false;
  return true;
}

} // namespace switchyard::telemetry::detail
