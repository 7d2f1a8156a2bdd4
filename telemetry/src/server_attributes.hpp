#pragma once

// The server span of a gateway request, described once for both ways it is
// made: as a `span` (make_server_span) and straight into OTLP/JSON (the
// exporter's record_server). Internal to the telemetry component.

#include "switchyard/telemetry/attribute_key.hpp"
#include "switchyard/telemetry/genai_attributes.hpp"
#include "switchyard/telemetry/server_span.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"
#include "switchyard/telemetry/trace_parent.hpp"

#include <string>
#include <string_view>

namespace switchyard::telemetry::detail {

/// The keys of a server span, looked up once per process.
struct server_keys {
  attribute_key method{genai::http_request_method};
  attribute_key path{genai::url_path};
  attribute_key scheme{genai::url_scheme};
  attribute_key status{genai::http_response_status_code};
  attribute_key route{genai::http_route};
  attribute_key decision{attrs::decision_id};
  attribute_key error_type{genai::error_type};

  static const server_keys& get() {
    static const server_keys keys;
    return keys;
  }
};

/// `{method} {route}` into `name` (its memory kept).
inline void server_span_name(const server_request& r, std::string& name) {
  name.clear();
  name.reserve(r.method.size() + 1 + r.route.size());
  name += r.method;
  if (!r.route.empty()) {
    name += ' ';
    name += r.route;
  }
}

/// Gives `out` the attributes of `r`'s span in their order and, for a 5xx,
/// its status.
template <class Out>
void describe_server(const server_request& r, Out& out) {
  const auto& k = server_keys::get();
  out.add(k.method, r.method);
  out.add(k.path, r.path);
  out.add(k.scheme, std::string_view{"http"});
  out.add(k.status, r.status);
  if (!r.route.empty())
    out.add(k.route, r.route);
  if (r.decision_id != 0)
    out.add(k.decision, decision_id_text(r.decision_id));
  if (r.status >= 500) {
    out.add(k.error_type, std::to_string(r.status));
    out.fail("HTTP " + std::to_string(r.status));
  }
}

} // namespace switchyard::telemetry::detail
