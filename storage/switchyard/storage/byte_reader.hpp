#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::storage {

/// Reads what byte_writer wrote. A read past the end or a malformed varint
/// fails the reader (sticky): later reads return zeros, and `ok()` says
/// whether everything read was valid. Decoders check once at the end.
class byte_reader {
public:
  explicit byte_reader(std::string_view in) noexcept : in_(in) {
  }

  [[nodiscard]] bool ok() const noexcept {
    return ok_;
  }

  [[nodiscard]] bool at_end() const noexcept {
    return pos_ == in_.size();
  }

  /// Marks the input as invalid (e.g. an enum value out of range).
  void fail() noexcept {
    ok_ = false;
  }

  std::uint8_t u8() noexcept {
    if (!ok_ || pos_ >= in_.size()) {
      ok_ = false;
      return 0;
    }
    return static_cast<std::uint8_t>(in_[pos_++]);
  }

  bool boolean() noexcept {
    auto b = u8();
    if (b > 1)
      ok_ = false;
    return b == 1;
  }

  std::uint64_t varint() noexcept {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      auto b = u8();
      if (!ok_)
        return 0;
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        return v;
    }
    ok_ = false;
    return 0;
  }

  std::int64_t zigzag() noexcept {
    auto v = varint();
    return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }

  double f64() noexcept {
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits |= static_cast<std::uint64_t>(u8()) << (8 * i);
    return std::bit_cast<double>(bits);
  }

  std::uint64_t big_endian64() noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v = (v << 8) | u8();
    return v;
  }

  std::string string() {
    auto n = varint();
    if (!ok_ || n > in_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string s{in_.substr(pos_, n)};
    pos_ += n;
    return s;
  }

  /// An unsigned integer that must fit `Int`; fails the reader otherwise.
  template <class Int>
  Int narrow() noexcept {
    auto v = varint();
    if (v > static_cast<std::uint64_t>(static_cast<Int>(~Int{0}))) {
      ok_ = false;
      return 0;
    }
    return static_cast<Int>(v);
  }

  /// An enum stored as a byte; values at or above `count` fail the reader.
  template <class Enum>
  Enum enumeration(std::size_t count) noexcept {
    auto b = u8();
    if (b >= count) {
      ok_ = false;
      return Enum{};
    }
    return static_cast<Enum>(b);
  }

  template <class T, class Read>
  std::optional<T> optional(Read read) {
    if (!boolean())
      return std::nullopt;
    return read();
  }

  /// A count of elements that follow, each at least `min_bytes` long:
  /// bounded by what is left, so a damaged count cannot make a decoder
  /// allocate gigabytes.
  std::size_t count(std::size_t min_bytes = 1) noexcept {
    auto n = varint();
    auto left = in_.size() - pos_;
    if (!ok_ || (min_bytes > 0 && n > left / min_bytes)) {
      ok_ = false;
      return 0;
    }
    return static_cast<std::size_t>(n);
  }

private:
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

} // namespace switchyard::storage
