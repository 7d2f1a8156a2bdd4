#pragma once

#include "switchyard/storage/byte_reader.hpp"

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::storage {

/// Decodes a record by visiting its field list (field_list.hpp): reads what
/// field_writer wrote. Failing is sticky, as in byte_reader: after a read
/// past the end, a malformed varint, a value that does not fit its field or
/// a failed `expect`, `ok()` is false and later reads give zeros. Lists
/// stop at the first failure, so a damaged value never recurses or
/// allocates beyond what it holds.
class field_reader {
public:
  static constexpr bool reads = true;

  explicit field_reader(std::string_view in) noexcept : in_(in) {
  }

  [[nodiscard]] bool ok() const noexcept {
    return in_.ok();
  }

  [[nodiscard]] bool at_end() const noexcept {
    return in_.at_end();
  }

  void u8(std::uint8_t& x) noexcept {
    x = in_.u8();
  }

  void boolean(bool& x) noexcept {
    x = in_.boolean();
  }

  /// Fails when the value does not fit `Int`.
  template <std::unsigned_integral Int>
  void varint(Int& x) noexcept {
    x = in_.narrow<Int>();
  }

  template <std::signed_integral Int>
  void zigzag(Int& x) noexcept {
    x = static_cast<Int>(in_.zigzag());
  }

  template <std::floating_point Float>
  void f64(Float& x) noexcept {
    x = static_cast<Float>(in_.f64());
  }

  template <std::integral Int>
  void big_endian64(Int& x) noexcept {
    x = static_cast<Int>(in_.big_endian64());
  }

  void string(std::string& x) {
    x = in_.string();
  }

  void bytes(std::vector<std::uint8_t>& x) {
    auto s = in_.string();
    x.assign(s.begin(), s.end());
  }

  /// Fails unless exactly `N` bytes were stored.
  template <std::size_t N>
  void bytes(std::array<std::uint8_t, N>& x) {
    auto s = in_.string();
    expect(s.size() == N);
    if (ok())
      std::copy(s.begin(), s.end(), x.begin());
  }

  template <class Enum>
  void enumeration(Enum& x, std::size_t count) noexcept {
    x = in_.enumeration<Enum>(count);
  }

  template <class T, class Each>
  void optional(std::optional<T>& x, Each&& each) {
    bool present = false;
    boolean(present);
    if (!present) {
      x.reset();
      return;
    }
    T value{};
    each(value);
    x = std::move(value);
  }

  template <class T, class Each>
  void list(std::vector<T>& xs, std::size_t min_bytes, Each&& each) {
    std::size_t n = 0;
    count(n, min_bytes);
    xs.clear();
    xs.resize(n);
    for (auto& x : xs) {
      if (!ok())
        break;
      each(x);
    }
  }

  void count(std::size_t& n, std::size_t min_bytes) noexcept {
    n = in_.count(min_bytes);
  }

  void expect(bool valid) noexcept {
    if (!valid)
      in_.fail();
  }

  /// Whether an appended section follows: bytes are left to read.
  [[nodiscard]] bool appended(bool /* present */) const noexcept {
    return ok() && !at_end();
  }

private:
  byte_reader in_;
};

} // namespace switchyard::storage
