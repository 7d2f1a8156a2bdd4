#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace switchyard::engine {

/// One term of a prompt (a lower-cased word or a pair of adjacent words,
/// hashed to 32 bits) and how often it occurs. Only hashes: a prompt's
/// terms keep no text, so the prompt model may hold them under any
/// `storage.prompts` setting.
struct prompt_term {
  std::uint32_t id = 0;
  std::uint16_t count = 0;

  friend bool operator==(const prompt_term&, const prompt_term&) noexcept
    = default;
};

/// Words read per prompt: enough for any question, and a bound on the work
/// a long pasted document costs.
inline constexpr std::size_t max_prompt_words = 1024;

/// The terms of `text` (its first max_prompt_words words and their adjacent
/// pairs), sorted by id, each once with its count (saturating), into `out`
/// (cleared first; its capacity is reused).
void extract_prompt_terms(std::string_view text, std::vector<prompt_term>& out);

/// A 64-bit digest of a term list: the same prompt text gives the same key,
/// so repeated feedback on one prompt lands on one history entry.
[[nodiscard]] std::uint64_t
prompt_terms_key(std::span<const prompt_term> terms) noexcept;

} // namespace switchyard::engine
