#include "switchyard/telemetry/otlp_headers.hpp"

#include "switchyard/messages/error_code.hpp"

#include <optional>
#include <string>

namespace switchyard::telemetry {

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// RFC 9110 `tchar`.
bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
      || (c >= '0' && c <= '9'))
    return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '.': case '^': case '_': case '`': case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size())
      return std::nullopt;
    auto hi = hex_value(s[i + 1]);
    auto lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return out;
}

caf::error entry_error(std::string_view variable, std::size_t entry,
                       std::string_view what) {
  std::string msg{variable};
  msg += ": entry ";
  msg += std::to_string(entry);
  msg += ' ';
  msg += what;
  msg += " (expected comma-separated name=value pairs, values "
         "percent-encoded)";
  return caf::make_error(error_code::invalid_config, std::move(msg));
}

} // namespace

caf::expected<http::header_list> parse_otlp_headers(std::string_view text,
                                                    std::string_view variable) {
  http::header_list headers;
  std::size_t entry = 0;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{}
                                           : text.substr(comma + 1);
    ++entry;
    if (item.empty())
      continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      return entry_error(variable, entry, "has no '='");
    auto name = trim(item.substr(0, eq));
    if (name.empty())
      return entry_error(variable, entry, "has an empty name");
    for (char c : name)
      if (!is_token_char(c))
        return entry_error(variable, entry,
                           "has a name that is not an HTTP header name");
    auto value = percent_decode(trim(item.substr(eq + 1)));
    if (!value)
      return entry_error(variable, entry,
                         "has a '%' not followed by two hex digits");
    for (char c : *value) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f)
        return entry_error(variable, entry,
                           "has a value that decodes to a control character");
    }
    headers.push_back(http::header{std::string{name}, std::move(*value)});
  }
  return headers;
}

} // namespace switchyard::telemetry
