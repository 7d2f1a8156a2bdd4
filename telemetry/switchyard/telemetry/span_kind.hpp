#pragma once

#include <string_view>

namespace switchyard::telemetry {

/// A span's role. The values are OTLP's `Span.SpanKind` numbers, written as
/// is into OTLP/JSON.
enum class span_kind : int {
  /// Work inside switchyard: the routing decision, a plan step, the judge.
  internal = 1,
  /// A request switchyard serves (the gateway's HTTP request).
  server = 2,
  /// A request switchyard makes (an upstream call).
  client = 3,
};

[[nodiscard]] constexpr std::string_view to_string(span_kind k) noexcept {
  switch (k) {
    case span_kind::internal: return "internal";
    case span_kind::server: return "server";
    case span_kind::client: return "client";
  }
  return "unknown";
}

} // namespace switchyard::telemetry
