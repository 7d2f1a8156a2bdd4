#include "switchyard/engine/json_writer.hpp"

#include <cmath>

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

void json_writer::escape_into(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  // Runs of characters that need no escape go in with one append: most
  // text has none to escape, and a push_back per byte was the top JSON
  // cost of the gateway's hot path (perf, bench gateway).
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
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
