#include "switchyard/http/url.hpp"

#include <charconv>

namespace switchyard::http {

std::string origin::to_string() const {
  std::string result = tls ? "https://" : "http://";
  if (host.find(':') != std::string::npos)
    result += "[" + host + "]";
  else
    result += host;
  result += ':';
  result += std::to_string(port);
  return result;
}

std::optional<url> parse_url(std::string_view text, std::string& why) {
  url result;
  constexpr std::string_view http_scheme = "http://";
  constexpr std::string_view https_scheme = "https://";
  auto lower_prefix = [&](std::string_view prefix) {
    if (text.size() < prefix.size())
      return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      auto c = text[i];
      if (c >= 'A' && c <= 'Z')
        c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i])
        return false;
    }
    return true;
  };
  if (lower_prefix(https_scheme)) {
    result.origin.tls = true;
    result.origin.port = 443;
    text.remove_prefix(https_scheme.size());
  } else if (lower_prefix(http_scheme)) {
    result.origin.port = 80;
    text.remove_prefix(http_scheme.size());
  } else {
    why = "must start with http:// or https://";
    return std::nullopt;
  }
  if (text.find_first_of("?#") != std::string_view::npos) {
    why = "must not have a query or a fragment";
    return std::nullopt;
  }
  auto slash = text.find('/');
  auto authority = text.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view{}
                                              : text.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    why = "must not hold user info (put keys in api_key_env)";
    return std::nullopt;
  }
  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      why = "has an unclosed '[' in its host";
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        why = "has text after the IPv6 host";
        return std::nullopt;
      }
      port = rest.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos)
      port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    why = "has no host";
    return std::nullopt;
  }
  if (authority.find(':') != std::string_view::npos || !port.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(),
                                     value);
    if (port.empty() || ec != std::errc{} || ptr != port.data() + port.size()
        || value == 0 || value > 65535) {
      why = "has an invalid port";
      return std::nullopt;
    }
    result.origin.port = static_cast<std::uint16_t>(value);
  }
  result.origin.host = std::string{host};
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  result.path = std::string{path};
  return result;
}

std::string escape_path_segment(std::string_view segment) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (char c : segment) {
    auto u = static_cast<unsigned char>(c);
    bool unreserved = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z')
                      || (u >= '0' && u <= '9') || u == '-' || u == '.'
                      || u == '_' || u == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 0xF]);
    }
  }
  return out;
}

} // namespace switchyard::http
