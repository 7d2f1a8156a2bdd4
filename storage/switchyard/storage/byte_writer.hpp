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
    auto bits = std::bit_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i)
      out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }

  void big_endian64(std::uint64_t v) {
    for (int i = 7; i >= 0; --i)
      out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
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
  std::string& out_;
};

} // namespace switchyard::storage
