#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::http {

/// Where connections go: scheme, host and port. Connections are pooled per
/// origin.
struct origin {
  bool tls = false;
  /// A DNS name or an IP literal (without brackets for IPv6).
  std::string host;
  std::uint16_t port = 0;

  [[nodiscard]] friend bool operator==(const origin&, const origin&) = default;

  /// `https://host:port`, for messages and pool keys.
  [[nodiscard]] std::string to_string() const;
};

/// An absolute `http` or `https` URL split for requests. Upstream URLs come
/// from the configuration only (a provider's `base_url`).
struct url {
  http::origin origin;
  /// The path without a trailing slash; empty for the root. No query.
  std::string path;
};

/// Parses `http[s]://host[:port][/path]`. Refuses other schemes, user info,
/// queries and fragments, and says why in `why`.
[[nodiscard]] std::optional<url> parse_url(std::string_view text,
                                           std::string& why);

/// Percent-encodes everything but RFC 3986's unreserved characters, for a
/// path segment built from a name (a Gemini model, say).
[[nodiscard]] std::string escape_path_segment(std::string_view segment);

} // namespace switchyard::http
