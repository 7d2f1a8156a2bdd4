#pragma once

#include "json_support.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace switchyard::providers::detail {

/// The fields a format reports token counts under, e.g. `{{"prompt_tokens"},
/// {"completion_tokens"}}` for OpenAI. Several fields add up: Anthropic's
/// cache reads and writes are input too, Gemini's thoughts are output.
struct usage_keys {
  std::initializer_list<std::string_view> input;
  std::initializer_list<std::string_view> output;
};

/// Token counts as one answer, chunk or event reports them; unset when it
/// reports none.
struct usage_counts {
  std::optional<std::uint32_t> input;
  std::optional<std::uint32_t> output;

  /// Reads a usage object (null: none), counting the fields `keys` names.
  error_code read(od::value& v, const usage_keys& keys);

  /// Counts `n` when `key` is one of `keys`; any other field is left unread.
  error_code add(std::string_view key, od::value& n, const usage_keys& keys);

  [[nodiscard]] bool any() const noexcept {
    return input || output;
  }

  /// Sets the counts this report holds; leaves the others as they were.
  void apply(engine::call_result& result) const;
};

/// Reads a usage object (null: none) into `result`: the counts it holds.
error_code read_usage(od::value& v, const usage_keys& keys,
                      engine::call_result& result);

} // namespace switchyard::providers::detail
