#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::storage {

/// Appends the compact binary encoding of the store's values to a string:
/// LEB128 varints for unsigned integers, zigzag varints for signed ones,
/// IEEE doubles as 8 little-endian bytes, strings with a varint length.
/// Big-endian fixed-width integers go into keys, where they sort in order.
class byte_writer {
public:
  explicit byte_writer(std::string& out) noexcept : out_(out) {
  }

  void u8(std::uint8_t v) {
    out_.push_back(static_cast<char>(v));
  }

  void boolean(bool v) {
    u8(v ? 1 : 0);
  }

  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }

  void zigzag(std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1)
           ^ static_cast<std::uint64_t>(v >> 63));
  }

  void f64(double v) {
    fixed64(std::bit_cast<std::uint64_t>(v), 0, 8);
  }

  void big_endian64(std::uint64_t v) {
    fixed64(v, 56, -8);
  }

  void string(std::string_view s) {
    varint(s.size());
    out_.append(s);
  }

  /// An enum as its underlying byte.
  template <class Enum>
  void enumeration(Enum e) {
    u8(static_cast<std::uint8_t>(e));
  }

  template <class T, class Write>
  void optional(const std::optional<T>& v, Write write) {
    boolean(v.has_value());
    if (v)
      write(*v);
  }

private:
  /// The 8 bytes of `v`, the first from bit `first`, each next `step` bits
  /// along, appended at once (one size check, not eight).
  void fixed64(std::uint64_t v, int first, int step) {
    char bytes[8];
    for (int i = 0; i < 8; ++i)
      bytes[i] = static_cast<char>((v >> (first + step * i)) & 0xff);
    out_.append(bytes, 8);
  }

  std::string& out_;
};

} // namespace switchyard::storage
