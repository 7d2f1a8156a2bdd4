#pragma once

#include "switchyard/telemetry/resource.hpp"
#include "switchyard/telemetry/span.hpp"

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

} // namespace switchyard::telemetry
