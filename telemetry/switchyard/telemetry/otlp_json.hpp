#pragma once

#include "switchyard/telemetry/resource.hpp"
#include "switchyard/telemetry/server_span.hpp"
#include "switchyard/telemetry/span.hpp"
#include "switchyard/telemetry/upstream_span.hpp"

#include <span>
#include <string>
#include <string_view>

namespace switchyard::telemetry {

/// The instrumentation scope every span is reported under.
inline constexpr std::string_view scope_name = "switchyard";

/// Appends to `out` the body of an OTLP/HTTP JSON export: an
/// `ExportTraceServiceRequest` holding one `ResourceSpans` (`res`) with one
/// `ScopeSpans` (scope `switchyard`, `library_version()`, the semantic
/// conventions' schema URL) holding `spans` in order.
///
/// Follows the OTLP specification's JSON encoding (protobuf's JSON mapping
/// with its OTLP exceptions): lowerCamelCase field names; trace and span
/// ids as lowercase hex strings (not base64); 64-bit integers (timestamps,
/// `intValue`) as decimal strings; enums (span kind, status code) as their
/// integers; a non-finite double as "NaN", "Infinity" or "-Infinity".
/// Empty fields are left out (no `parentSpanId` on a root, no `status`
/// when unset). Invalid UTF-8 in a string becomes U+FFFD, so one bad byte
/// cannot make a collector refuse the batch.
///
/// Pure: no clock, no I/O.
void append_otlp_json(std::string& out, const resource& res,
                      std::span<const span> spans);

// -- a body in parts ----------------------------------------------------------
//
// `append_otlp_json` is these three: the head, the spans separated by
// commas, the tail. The exporter encodes each span as it is recorded and
// joins them into a body (span_batches).

/// The start of a body, up to and including the opening of the spans'
/// array.
void append_otlp_json_head(std::string& out, const resource& res);

/// One span: an OTLP/JSON `Span` object.
void append_otlp_json_span(std::string& out, const span& s);

/// The client span of an upstream attempt, written straight from the
/// attempt: the same text as `append_otlp_json_span(out,
/// make_upstream_span(a))`, without the span object in between (the
/// exporter's `record_upstream`).
void append_otlp_json_upstream_span(std::string& out,
                                    const upstream_attempt& a);

/// A request's server span, likewise: the same text as
/// `append_otlp_json_span(out, make_server_span(r))`.
void append_otlp_json_server_span(std::string& out, const server_request& r);

/// The end of a body after its last span.
void append_otlp_json_tail(std::string& out);

} // namespace switchyard::telemetry
