#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace switchyard::telemetry {

/// What the operator set explicitly: the `telemetry` section of the
/// configuration and the `--otlp-endpoint` flag (the flag wins over the
/// file; whoever reads both stores the winner here). An unset optional
/// falls back to the OpenTelemetry environment variables, then to the
/// default: the environment is the default, an explicit setting wins. This
/// is OpenTelemetry's own order for declarative configuration, where a
/// configuration file takes precedence over the `OTEL_*` variables.
/// `resolve_exporter_settings` turns it into `exporter_settings`.
struct telemetry_config {
  /// `telemetry.otlp_endpoint` / `--otlp-endpoint`: the collector's OTLP/HTTP
  /// traces URL, `http://` or `https://`. A URL with a path is used as is;
  /// a bare origin (`http://collector:4318`) gets `/v1/traces`. An empty
  /// string turns export off even when `OTEL_EXPORTER_OTLP_*` variables are
  /// set. Unset: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (as is), else
  /// `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, else off.
  std::optional<std::string> otlp_endpoint;

  /// `service.name`. Unset: `OTEL_SERVICE_NAME`, else `switchyard`.
  std::optional<std::string> service_name;

  /// `switchyard.node.id`: the cluster node id; empty outside a cluster.
  std::string node_id;

  /// `telemetry.sample_ratio`: the share of new traces (roots) sampled,
  /// 0..1. Requests that arrive with a `traceparent` follow its flag.
  double sample_ratio = 1.0;

  /// `telemetry.propagate_to_providers`: send `traceparent` to commercial
  /// APIs too (local and self-hosted upstreams always get it).
  bool propagate_to_providers = false;

  /// `telemetry.capture_content`: put prompt and completion text on spans
  /// (the Opt-In `gen_ai.*.messages` attributes). Off by default.
  bool capture_content = false;

  // -- the exporter's limits --------------------------------------------------

  /// Spans waiting for export at most; more are dropped and counted
  /// (OpenTelemetry's batch span processor default).
  std::size_t queue_capacity = 2048;
  /// Spans per export request at most (the batch span processor default).
  std::size_t max_batch = 512;
  /// A partial batch goes out after this long. OpenTelemetry's default is
  /// 5 s; 1 s keeps a trace close to real time.
  std::chrono::milliseconds flush_interval{1000};
  /// One export request, from connecting to the answer
  /// (`OTEL_EXPORTER_OTLP_TIMEOUT`'s default).
  std::chrono::milliseconds export_timeout{10'000};
  /// How long shutdown keeps exporting what is queued.
  std::chrono::milliseconds shutdown_timeout{5'000};
};

} // namespace switchyard::telemetry
