#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard {

/// A decision id as users see it: "dec_" and 16 hex digits, the same width
/// for every id so that logs line up and sort.
[[nodiscard]] inline std::string format_decision_id(std::uint64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "dec_%016llx",
                static_cast<unsigned long long>(id));
  return buf;
}

/// Reads "dec_" + hex (any number of digits) or a plain decimal number.
[[nodiscard]] inline std::optional<std::uint64_t>
parse_decision_id(std::string_view text) {
  int base = 10;
  if (text.substr(0, 4) == "dec_") {
    text.remove_prefix(4);
    base = 16;
  }
  if (text.empty())
    return std::nullopt;
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id,
                                   base);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return id;
}

} // namespace switchyard
