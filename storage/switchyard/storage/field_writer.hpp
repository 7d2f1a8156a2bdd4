#pragma once

#include "switchyard/storage/byte_writer.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::storage {

/// Encodes a record by visiting its field list (field_list.hpp) with
/// byte_writer's encoding. Writing cannot fail.
class field_writer {
public:
  static constexpr bool reads = false;

  explicit field_writer(std::string& out) noexcept : out_(out) {
  }

  [[nodiscard]] static constexpr bool ok() noexcept {
    return true;
  }

  void u8(std::uint8_t x) {
    out_.u8(x);
  }

  void boolean(bool x) {
    out_.boolean(x);
  }

  template <std::unsigned_integral Int>
  void varint(Int x) {
    out_.varint(x);
  }

  template <std::signed_integral Int>
  void zigzag(Int x) {
    out_.zigzag(x);
  }

  template <std::floating_point Float>
  void f64(Float x) {
    out_.f64(static_cast<double>(x));
  }

  template <std::integral Int>
  void big_endian64(Int x) {
    out_.big_endian64(static_cast<std::uint64_t>(x));
  }

  void string(std::string_view x) {
    out_.string(x);
  }

  /// Bytes (a vector or an array of them) as a string.
  template <class Bytes>
  void bytes(const Bytes& x) {
    out_.string({reinterpret_cast<const char*>(x.data()), x.size()});
  }

  template <class Enum>
  void enumeration(Enum x, std::size_t /* count */) {
    out_.enumeration(x);
  }

  template <class T, class Each>
  void optional(const std::optional<T>& x, Each&& each) {
    boolean(x.has_value());
    if (x)
      each(*x);
  }

  template <class T, class Each>
  void list(const std::vector<T>& xs, std::size_t /* min_bytes */,
            Each&& each) {
    count(xs.size(), 0);
    for (const auto& x : xs)
      each(x);
  }

  void count(std::size_t n, std::size_t /* min_bytes */) {
    out_.varint(n);
  }

  void expect(bool /* valid */) noexcept {
  }

  [[nodiscard]] static constexpr bool appended(bool present) noexcept {
    return present;
  }

private:
  byte_writer out_;
};

} // namespace switchyard::storage
