#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace switchyard::http {

/// Parses a `Retry-After` value (RFC 9110 10.2.3): delay-seconds, or an
/// HTTP-date (IMF-fixdate, and the obsolete RFC 850 and asctime forms a
/// recipient must accept). A date is turned into a wait from `now`; a date in
/// the past gives zero. `nullopt` when the value is neither.
[[nodiscard]] std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value,
                  std::chrono::system_clock::time_point now);

/// Parses an HTTP-date into a time point; `nullopt` when it is not one.
[[nodiscard]] std::optional<std::chrono::system_clock::time_point>
parse_http_date(std::string_view value);

} // namespace switchyard::http
