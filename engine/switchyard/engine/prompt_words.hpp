#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace switchyard::engine {

/// A byte's lower-cased (ASCII) form when it belongs to a word (ASCII
/// letters and digits, any byte of a UTF-8 sequence), else 0.
inline constexpr std::array<unsigned char, 256> word_char_table = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c >= 'A' && c <= 'Z')
      t[c] = static_cast<unsigned char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
      t[c] = static_cast<unsigned char>(c);
  }
  return t;
}();

/// splitmix64's finalizer (Steele, Lea, Flood): spreads every input bit over
/// the output, so the top bits make a good bucket index.
[[nodiscard]] constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

/// Calls `fn(hash)` for each of the first `max_words` words of `text`, in
/// order: a 64-bit FNV-1a of the lower-cased word. Returns the number of
/// words, counting those past `max_words`. The success predictor and the
/// prompt model split prompts the same way.
template <class Fn>
std::size_t for_each_word_hash(std::string_view text, std::size_t max_words,
                               Fn&& fn) {
  constexpr std::uint64_t fnv_offset = 0xcbf29ce484222325ull;
  constexpr std::uint64_t fnv_prime = 0x100000001b3ull;
  std::size_t words = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    while (p < end && word_char_table[*p] == 0)
      ++p;
    if (p >= end)
      break;
    std::uint64_t h = fnv_offset;
    unsigned char c = 0;
    while (p < end && (c = word_char_table[*p]) != 0) {
      h = (h ^ c) * fnv_prime;
      ++p;
    }
    if (++words <= max_words)
      fn(h);
  }
  return words;
}

} // namespace switchyard::engine
