#include "switchyard/engine/json_writer.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace switchyard::engine {

json_writer& json_writer::value(double d) {
  separate();
  if (!std::isfinite(d)) {
    out_ += "null"; // JSON has no NaN or infinity
    return *this;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  out_.append(buf, r.ptr);
  return *this;
}

namespace {

/// Whether any of the 8 bytes in `v` needs escaping in a JSON string: a
/// control character (< 0x20), '"' or '\\'. Exact (no false positives:
/// the borrow tricks only err on bytes above one that matches).
bool word_needs_escape(std::uint64_t v) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t highs = 0x8080808080808080ull;
  auto below_0x20 = (v - ones * 0x20) & ~v & highs;
  auto q = v ^ (ones * '"');
  auto quote = (q - ones) & ~q & highs;
  auto b = v ^ (ones * '\\');
  auto backslash = (b - ones) & ~b & highs;
  return (below_0x20 | quote | backslash) != 0;
}

} // namespace

void json_writer::escape_into(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  // Runs of characters that need no escape go in with one append: most
  // text has none to escape, and a push_back per byte was the top JSON
  // cost of the gateway's hot path (perf, bench gateway). Eight bytes are
  // checked at a time.
  out.push_back('"');
  std::size_t run = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size()) {
      std::uint64_t v;
      std::memcpy(&v, s.data() + i, 8);
      if (!word_needs_escape(v)) {
        i += 8;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    run = i + 1;
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xf]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

} // namespace switchyard::engine
