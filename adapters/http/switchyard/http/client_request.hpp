#pragma once

#include "switchyard/http/header.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace switchyard::http {

/// One request to an origin. `Host`, `Content-Length` and `User-Agent` are
/// set by the client.
struct client_request {
  std::string method = "POST";
  /// Origin-form target: the path plus any query, e.g. `/v1/chat/completions`.
  std::string target;
  header_list headers;
  std::string body;
};

/// Limits for one request; zero takes the client's default.
struct request_options {
  /// Resolve, connect and TLS handshake, for a new connection.
  std::chrono::milliseconds connect_timeout{0};
  /// From the start of the request to the first byte of the response body
  /// (or the end of an empty one).
  std::chrono::milliseconds first_byte_timeout{0};
  /// From the start of the request (queueing for a connection included) to
  /// the end of the response.
  std::chrono::milliseconds total_timeout{0};
  /// The response body is refused past this many bytes.
  std::size_t max_body_bytes = 0;
};

} // namespace switchyard::http
