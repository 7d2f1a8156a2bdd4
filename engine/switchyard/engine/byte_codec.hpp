#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::engine {

// Little-endian writers and a reader for the engine's saved learned state
// (success_predictor, prompt_history).

inline void put_u8(std::string& out, std::uint8_t v) {
  out.push_back(static_cast<char>(v));
}

template <class T>
void put_le(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

inline void put_f32(std::string& out, float v) {
  put_le(out, std::bit_cast<std::uint32_t>(v));
}

inline void put_f64(std::string& out, double v) {
  put_le(out, std::bit_cast<std::uint64_t>(v));
}

/// Reads little-endian values off the front of a byte string; each getter
/// returns false (and reads nothing) when too few bytes are left.
class byte_reader {
 public:
  explicit byte_reader(std::string_view bytes) noexcept : bytes_(bytes) {}

  template <class T>
  bool get(T& v) noexcept {
    if (bytes_.size() < sizeof(T))
      return false;
    T x = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      x |= static_cast<T>(static_cast<T>(static_cast<unsigned char>(bytes_[i]))
                          << (8 * i));
    bytes_.remove_prefix(sizeof(T));
    v = x;
    return true;
  }

  bool get_f32(float& v) noexcept {
    std::uint32_t bits = 0;
    if (!get(bits))
      return false;
    v = std::bit_cast<float>(bits);
    return true;
  }

  bool get_f64(double& v) noexcept {
    std::uint64_t bits = 0;
    if (!get(bits))
      return false;
    v = std::bit_cast<double>(bits);
    return true;
  }

  bool get_bytes(std::size_t n, std::string_view& v) noexcept {
    if (bytes_.size() < n)
      return false;
    v = bytes_.substr(0, n);
    bytes_.remove_prefix(n);
    return true;
  }

  [[nodiscard]] bool empty() const noexcept {
    return bytes_.empty();
  }

 private:
  std::string_view bytes_;
};

} // namespace switchyard::engine
