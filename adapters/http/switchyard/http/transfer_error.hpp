#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace switchyard::http {

/// Why an HTTP exchange did not deliver a complete response. A response
/// with any status code is a success at this level: the status is the
/// caller's to judge.
enum class transfer_error : std::uint8_t {
  none,
  connect_timeout,    ///< resolve + connect + TLS handshake took too long
  first_byte_timeout, ///< no response body byte (or empty body) in time
  total_timeout,      ///< the whole exchange took too long
  resolve,            ///< the host name did not resolve
  connect,            ///< refused or unreachable
  tls,                ///< handshake failed, or the peer failed verification
  connection,         ///< closed or reset before a response began
  truncated,          ///< closed or reset in the middle of the response
  body_too_large,     ///< the body passed the configured limit
  header_too_large,   ///< the header passed the configured limit
  protocol,           ///< not valid HTTP/1.1
  cancelled,          ///< cancelled by the caller or by shutdown
};

inline constexpr std::array<std::string_view, 13> transfer_error_names{
  "none",
  "connect_timeout",
  "first_byte_timeout",
  "total_timeout",
  "resolve",
  "connect",
  "tls",
  "connection",
  "truncated",
  "body_too_large",
  "header_too_large",
  "protocol",
  "cancelled"};

[[nodiscard]] constexpr std::string_view to_string(transfer_error e) noexcept {
  return transfer_error_names[static_cast<std::size_t>(e)];
}

[[nodiscard]] constexpr bool is_timeout(transfer_error e) noexcept {
  return e == transfer_error::connect_timeout
         || e == transfer_error::first_byte_timeout
         || e == transfer_error::total_timeout;
}

} // namespace switchyard::http
