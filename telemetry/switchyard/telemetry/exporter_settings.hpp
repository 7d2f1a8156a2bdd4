#pragma once

#include "switchyard/config/env_lookup.hpp"
#include "switchyard/http/header.hpp"
#include "switchyard/telemetry/resource.hpp"
#include "switchyard/telemetry/telemetry_config.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace switchyard::telemetry {

/// Everything the span exporter needs, resolved from `telemetry_config`
/// and the environment. Export is off when `endpoint` is empty: then no
/// exporter is made, no thread runs, nothing is queued.
struct exporter_settings {
  /// The OTLP/HTTP traces URL (`http://` or `https://`, no user info, no
  /// query); empty: off.
  std::string endpoint;
  /// Sent with every export request (`OTEL_EXPORTER_OTLP_HEADERS`). The
  /// values are secrets (collectors take API keys here): never logged,
  /// never in `to_string()` or an error message.
  http::header_list headers;
  telemetry::resource resource;
  std::size_t queue_capacity = 2048;
  std::size_t max_batch = 512;
  std::chrono::milliseconds flush_interval{1000};
  std::chrono::milliseconds export_timeout{10'000};
  std::chrono::milliseconds shutdown_timeout{5'000};

  [[nodiscard]] bool enabled() const noexcept {
    return !endpoint.empty();
  }

  /// One line for the startup log: the endpoint, the header names with
  /// their values redacted, the resource and the limits.
  [[nodiscard]] std::string to_string() const;
};

/// Resolves the exporter's settings: an explicit `cfg` value first, then
/// the environment read through `env`, then the defaults (see
/// `telemetry_config`). Reads `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
/// `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (over
/// `OTEL_EXPORTER_OTLP_HEADERS`) and `OTEL_SERVICE_NAME`; an empty variable
/// counts as unset, as OpenTelemetry specifies.
///
/// Fails with `error_code::invalid_config` when the endpoint is not an
/// http(s) URL without user info or query, when the headers variable is
/// malformed, or when a value of `cfg` is out of range (sample_ratio
/// outside 0..1, a zero limit, max_batch above queue_capacity). Every
/// setting is checked even when export is off, except the headers, which
/// are read only for an endpoint. Messages name the setting or variable
/// at fault and never repeat a header or the endpoint's text.
[[nodiscard]] caf::expected<exporter_settings>
resolve_exporter_settings(const telemetry_config& cfg,
                          const config::env_lookup& env);

} // namespace switchyard::telemetry
