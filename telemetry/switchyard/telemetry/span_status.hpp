#pragma once

#include <string>
#include <string_view>

namespace switchyard::telemetry {

/// OTLP's `Status.StatusCode` numbers.
enum class status_code : int {
  /// The default: the span says nothing about success.
  unset = 0,
  /// Explicitly successful (set by the operator's choice, rarely by
  /// instrumentation).
  ok = 1,
  error = 2,
};

[[nodiscard]] constexpr std::string_view to_string(status_code c) noexcept {
  switch (c) {
    case status_code::unset: return "unset";
    case status_code::ok: return "ok";
    case status_code::error: return "error";
  }
  return "unknown";
}

/// How a span ended.
struct span_status {
  status_code code = status_code::unset;
  /// Only meaningful with `error` (OTLP drops it otherwise): a short
  /// description, never a secret or prompt text.
  std::string message;
};

} // namespace switchyard::telemetry
