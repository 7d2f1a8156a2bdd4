#pragma once

#include "switchyard/http/header.hpp"

#include <caf/expected.hpp>

#include <string_view>

namespace switchyard::telemetry {

/// Parses the value of `OTEL_EXPORTER_OTLP_HEADERS` (or its `_TRACES_`
/// form): comma-separated `name=value` pairs, spaces around each allowed,
/// values percent-decoded (the W3C Baggage format without properties, as
/// OpenTelemetry specifies). Empty entries are skipped.
///
/// Fails with `error_code::invalid_config` for an entry without `=`, a name
/// that is not an HTTP token, a bad `%` escape, or a value that decodes to
/// a control character (a CR or LF would inject headers). The message
/// names `variable` and the entry's position, never its text: the values
/// are secrets.
[[nodiscard]] caf::expected<http::header_list>
parse_otlp_headers(std::string_view text, std::string_view variable);

} // namespace switchyard::telemetry
