#pragma once

#include "switchyard/telemetry/span.hpp"
#include "switchyard/telemetry/span_id.hpp"
#include "switchyard/telemetry/trace_context.hpp"

#include <cstdint>
#include <string_view>

namespace switchyard::telemetry {

/// One HTTP request the gateway served, as its server span reports it.
struct server_request {
  /// The span's own context (the request's trace).
  const trace_context& context;
  /// The caller's span (from its `traceparent`); all zeros for a root.
  telemetry::span_id remote_parent;
  std::string_view method;
  std::string_view path;
  /// The route template (`/v1/decisions/{id}`); empty for an unknown path.
  std::string_view route;
  int status = 0;
  /// The decision the request made or named; 0 for none.
  std::uint64_t decision_id = 0;
  std::uint64_t start_unix_nanos = 0;
  std::uint64_t end_unix_nanos = 0;
};

/// The server span of a request, named `{method} {route}` (the method
/// alone for an unknown path), with OpenTelemetry's HTTP server attributes
/// (`http.request.method`, `url.path`, `url.scheme`,
/// `http.response.status_code`, `http.route`) and `switchyard.decision.id`.
/// A 5xx fails it, with `error.type` the status; a 4xx is the client's
/// error and does not (the HTTP conventions). Pure: no clock, no I/O.
[[nodiscard]] span make_server_span(const server_request& r);

} // namespace switchyard::telemetry
