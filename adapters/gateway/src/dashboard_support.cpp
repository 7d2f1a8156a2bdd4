// Small parsers the dashboard needs: form bodies, cookies, query numbers
// and decision cursors; and its response headers.

#include "dashboard_impl.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/messages/decision_id.hpp"

#include <array>
#include <charconv>
#include <random>

namespace switchyard::gateway::dashboard_detail {

double usd(std::int64_t nanos) {
  return engine::nanos_to_usd(nanos);
}

header_list json_headers() {
  return {{"content-type", "application/json"}, {"cache-control", "no-store"}};
}

/// What every dashboard page is served with: no framing, no sniffing, no
/// script or style from anywhere else, no referrer leaving the node.
header_list page_headers(std::string_view content_type) {
  return {{"content-type", std::string{content_type}},
          {"x-content-type-options", "nosniff"},
          {"x-frame-options", "DENY"},
          {"referrer-policy", "no-referrer"},
          {"content-security-policy",
           "default-src 'self'; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"}};
}

std::string with_charset(std::string_view type) {
  std::string out{type};
  if (type.rfind("text/", 0) == 0)
    out += "; charset=utf-8";
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// application/x-www-form-urlencoded and query-string decoding.
std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0
               && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// The value of `name` in a query string or form body.
std::optional<std::string> form_value(std::string_view form,
                                      std::string_view name) {
  while (!form.empty()) {
    auto amp = form.find('&');
    auto pair = form.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return url_decode(eq == std::string_view::npos ? std::string_view{}
                                                     : pair.substr(eq + 1));
    if (amp == std::string_view::npos)
      break;
    form.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string_view> cookie_value(std::string_view header,
                                             std::string_view name) {
  while (!header.empty()) {
    auto semi = header.find(';');
    auto part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ')
      part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name)
      return part.substr(eq + 1);
    if (semi == std::string_view::npos)
      break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

std::string random_token() {
  std::random_device rd;
  std::string out;
  static constexpr char digits[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    auto v = rd();
    for (int j = 0; j < 8; ++j) {
      out += digits[v & 0xf];
      v >>= 4;
    }
  }
  return out; // 256 bits from the OS's entropy source
}

std::string_view phase_name(breaker_phase p) {
  static constexpr std::array<std::string_view, 3> names{"closed", "open",
                                                         "half_open"};
  return names[static_cast<std::size_t>(p)];
}

std::optional<std::uint64_t> query_number(std::string_view query,
                                          std::string_view name) {
  auto v = form_value(query, name);
  if (!v)
    return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || end != v->data() + v->size())
    return std::nullopt;
  return n;
}

/// A decision cursor: dec_... or a plain number.
std::optional<std::uint64_t> query_decision(std::string_view query,
                                            std::string_view name) {
  auto v = form_value(query, name);
  if (!v)
    return std::uint64_t{0};
  if (auto id = parse_decision_id(*v))
    return *id;
  return query_number(query, name);
}

} // namespace switchyard::gateway::dashboard_detail
