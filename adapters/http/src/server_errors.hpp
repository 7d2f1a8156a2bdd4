#pragma once

// The responses the HTTP server writes by itself (no handler runs): bad
// framing, limits, overload. Kept apart from the connection code so that
// their format is in one place.

#include "switchyard/http/http_server.hpp"

#include <string>
#include <string_view>

namespace switchyard::http::detail {

/// The whole response for `e`, ending the connection: status line,
/// Content-Type, `extra_headers` (each ending in CRLF), Connection: close,
/// Content-Length and the body, rendered by `render` when set (else plain
/// text; 503 as JSON).
[[nodiscard]] std::string server_error_response(const error_renderer& render,
                                                const server_error& e,
                                                std::string_view extra_headers);

} // namespace switchyard::http::detail
