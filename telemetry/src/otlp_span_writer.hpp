#pragma once

// One span's OTLP/JSON written through a raw pointer, for the exporter's
// per-thread buffer (append_otlp_json_span is the same into a string).
// Internal to the telemetry component.

#include "switchyard/telemetry/span.hpp"

#include <cstddef>

namespace switchyard::telemetry::detail {

/// The most bytes `write_otlp_span` writes for `s`.
[[nodiscard]] std::size_t otlp_span_bound(const span& s) noexcept;

/// Writes `s` at `out`, which has room for `otlp_span_bound(s)` bytes;
/// returns the end of what it wrote.
char* write_otlp_span(char* out, const span& s);

} // namespace switchyard::telemetry::detail
