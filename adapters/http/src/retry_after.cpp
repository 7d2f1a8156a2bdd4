#include "switchyard/http/retry_after.hpp"

#include <array>
#include <charconv>
#include <cstdint>

namespace switchyard::http {

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

/// Reads exactly `digits` decimal digits (or 1-2 when `digits` is 0) from
/// the front of `s`.
bool read_number(std::string_view& s, int digits, int& out) noexcept {
  std::size_t n = 0;
  auto limit = digits == 0 ? std::size_t{2} : static_cast<std::size_t>(digits);
  while (n < s.size() && n < limit && s[n] >= '0' && s[n] <= '9')
    ++n;
  if (n == 0 || (digits != 0 && n != static_cast<std::size_t>(digits)))
    return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i)
    out = out * 10 + (s[i] - '0');
  s.remove_prefix(n);
  return true;
}

bool expect(std::string_view& s, char c) noexcept {
  if (s.empty() || s.front() != c)
    return false;
  s.remove_prefix(1);
  return true;
}

bool read_month(std::string_view& s, int& month) noexcept {
  static constexpr std::array<std::string_view, 12> names{"Jan", "Feb", "Mar",
                                                          "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep",
                                                          "Oct", "Nov", "Dec"};
  if (s.size() < 3)
    return false;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (s.substr(0, 3) == names[i]) {
      month = static_cast<int>(i) + 1;
      s.remove_prefix(3);
      return true;
    }
  return false;
}

bool read_time(std::string_view& s, int& h, int& m, int& sec) noexcept {
  return read_number(s, 2, h) && expect(s, ':') && read_number(s, 2, m)
         && expect(s, ':') && read_number(s, 2, sec) && h < 24 && m < 60
         && sec <= 60;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// days_from_civil).
std::int64_t days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const auto mp = static_cast<unsigned>(m > 2 ? m - 3 : m + 9);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::chrono::system_clock::time_point>
make_time(int year, int month, int day, int h, int m, int s) {
  if (day < 1 || day > 31)
    return std::nullopt;
  auto days = days_from_civil(year, month, day);
  auto secs = days * 86400 + h * 3600 + m * 60 + s;
  return std::chrono::system_clock::time_point{std::chrono::seconds{secs}};
}

} // namespace

std::optional<std::chrono::system_clock::time_point>
parse_http_date(std::string_view value) {
  auto s = trim(value);
  auto comma = s.find(',');
  int day = 0;
  int month = 0;
  int year = 0;
  int h = 0;
  int m = 0;
  int sec = 0;
  if (comma == 3) {
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    s.remove_prefix(4);
    if (expect(s, ' ') && read_number(s, 2, day) && expect(s, ' ')
        && read_month(s, month) && expect(s, ' ') && read_number(s, 4, year)
        && expect(s, ' ') && read_time(s, h, m, sec) && s == " GMT")
      return make_time(year, month, day, h, m, sec);
    return std::nullopt;
  }
  if (comma != std::string_view::npos) {
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years are taken
    // as the 1900s for >= 70, per RFC 9110's 50-year rule close enough here).
    s.remove_prefix(comma + 1);
    if (expect(s, ' ') && read_number(s, 2, day) && expect(s, '-')
        && read_month(s, month) && expect(s, '-') && read_number(s, 2, year)
        && expect(s, ' ') && read_time(s, h, m, sec) && s == " GMT") {
      year += year >= 70 ? 1900 : 2000;
      return make_time(year, month, day, h, m, sec);
    }
    return std::nullopt;
  }
  // asctime: Sun Nov  6 08:49:37 1994
  if (s.size() < 4 || s[3] != ' ')
    return std::nullopt;
  s.remove_prefix(4);
  if (!read_month(s, month) || !expect(s, ' '))
    return std::nullopt;
  if (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  if (read_number(s, 0, day) && expect(s, ' ') && read_time(s, h, m, sec)
      && expect(s, ' ') && read_number(s, 4, year) && s.empty())
    return make_time(year, month, day, h, m, sec);
  return std::nullopt;
}

std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value,
                  std::chrono::system_clock::time_point now) {
  auto s = trim(value);
  if (s.empty())
    return std::nullopt;
  if (s.find_first_not_of("0123456789") == std::string_view::npos) {
    std::uint64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
    // A delay too large to hold is as good as "not soon".
    constexpr std::uint64_t max_seconds = 10ull * 365 * 24 * 3600;
    if (ec == std::errc::result_out_of_range || seconds > max_seconds)
      seconds = max_seconds;
    else if (ec != std::errc{} || ptr != s.data() + s.size())
      return std::nullopt;
    return std::chrono::milliseconds{static_cast<std::int64_t>(seconds) * 1000};
  }
  auto when = parse_http_date(s);
  if (!when)
    return std::nullopt;
  if (*when <= now)
    return std::chrono::milliseconds{0};
  return std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
}

} // namespace switchyard::http
