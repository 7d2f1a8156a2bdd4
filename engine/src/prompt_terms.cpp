#include "switchyard/engine/prompt_terms.hpp"

#include "switchyard/engine/prompt_words.hpp"

#include <algorithm>
#include <limits>

namespace switchyard::engine {

namespace {

/// Salts that keep a word and a pair with the same hash apart.
constexpr std::uint64_t word_salt = 0x243f6a8885a308d3ull;
constexpr std::uint64_t pair_salt = 0x13198a2e03707344ull;

std::uint32_t term_id(std::uint64_t h, std::uint64_t salt) noexcept {
  return static_cast<std::uint32_t>(mix64(h ^ salt) >> 32);
}

} // namespace

void extract_prompt_terms(std::string_view text,
                          std::vector<prompt_term>& out) {
  thread_local std::vector<std::uint32_t> ids;
  ids.clear();
  std::uint64_t previous = 0;
  bool first = true;
  for_each_word_hash(text, max_prompt_words, [&](std::uint64_t h) {
    ids.push_back(term_id(h, word_salt));
    if (!first)
      ids.push_back(term_id(mix64(previous) ^ h, pair_salt));
    first = false;
    previous = h;
  });
  std::sort(ids.begin(), ids.end());
  out.clear();
  constexpr auto most = std::numeric_limits<std::uint16_t>::max();
  for (auto id : ids) {
    if (!out.empty() && out.back().id == id) {
      if (out.back().count < most)
        ++out.back().count;
      continue;
    }
    out.push_back({id, 1});
  }
}

std::uint64_t prompt_terms_key(std::span<const prompt_term> terms) noexcept {
  std::uint64_t h = 0x9e3779b97f4a7c15ull ^ terms.size();
  for (const auto& t : terms)
    h = mix64(h ^ ((static_cast<std::uint64_t>(t.id) << 16) | t.count));
  return h;
}

} // namespace switchyard::engine
