#pragma once

#include "switchyard/telemetry/exporter_settings.hpp"
#include "switchyard/telemetry/exporter_stats.hpp"
#include "switchyard/telemetry/span.hpp"
#include "switchyard/telemetry/span_sink.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <memory>

namespace switchyard::telemetry {

/// Sends finished spans to an OpenTelemetry collector over OTLP/HTTP with
/// the JSON encoding, in batches, from a thread of its own.
///
/// `record` may be called from any thread and never waits on the network:
/// it encodes the span (OTLP/JSON, on the calling thread, where the span's
/// memory is still in the cache) and appends the text to a bounded queue
/// (`queue_capacity` spans) under a short lock, or drops and counts the span
/// when the queue is full. The export thread sends a batch (up to
/// `max_batch` spans) as soon as that many are queued, else every
/// `flush_interval`, one request at a time, with the configured headers
/// and `Content-Type: application/json`, over the project's HTTP client
/// (TLS for `https://`). A failed request (a
/// transport error, a timeout after `export_timeout`, or a non-2xx status)
/// is not retried: its spans are dropped and counted, so a slow or down
/// collector costs spans, never request latency. A collector's
/// `partialSuccess.rejectedSpans` counts as dropped too.
///
/// Typical use, once at startup:
///
/// ```cpp
/// auto settings
///   = telemetry::resolve_exporter_settings(cfg, config::process_env());
/// if (!settings) return settings.error();
/// std::unique_ptr<telemetry::span_exporter> exporter;
/// if (settings->enabled()) {
///   auto made = telemetry::span_exporter::make(*settings);
///   if (!made) return made.error();
///   exporter = std::move(*made);
/// }
/// // Per finished span, when sampled:
/// if (exporter)
///   exporter->record(std::move(s));
/// ```
///
/// Off (no endpoint) means no exporter object at all: no thread, no queue.
class span_exporter final : public span_sink {
public:
  /// Starts the HTTP client and the export thread. Fails with
  /// `error_code::invalid_argument` when `settings` is off or its limits are
  /// zero or inconsistent, `invalid_config` when the endpoint is not a
  /// usable URL, `io_failure` when the HTTP client cannot start (an
  /// unreadable CA store).
  [[nodiscard]] static caf::expected<std::unique_ptr<span_exporter>>
  make(exporter_settings settings);

  /// Shuts down (see `shutdown`).
  ~span_exporter() override;

  span_exporter(const span_exporter&) = delete;
  span_exporter& operator=(const span_exporter&) = delete;

  /// Queues `s` for export; drops and counts it when the queue is full or
  /// after shutdown. Thread-safe; never blocks on I/O.
  void record(span s) override;

  /// The same for an upstream attempt's client span, written as OTLP/JSON
  /// straight from the attempt (no span object in between).
  void record_upstream(const upstream_attempt& a) override;

  /// The same for a request's server span.
  void record_server(const server_request& r) override;

  /// Exports what is queued now, without waiting for the interval, and
  /// waits up to `timeout` until every span recorded before the call has
  /// left the exporter (exported or dropped). Returns whether they all did.
  /// For tests and orderly stops; not for the request path.
  bool flush(std::chrono::milliseconds timeout);

  /// Stops accepting spans, exports what is queued for up to
  /// `shutdown_timeout` (then cancels the request in flight and drops the
  /// rest), and joins the thread. Idempotent; thread-safe.
  void shutdown();

  [[nodiscard]] exporter_stats stats() const;

  [[nodiscard]] const exporter_settings& settings() const noexcept;

  class impl;

private:
  explicit span_exporter(std::unique_ptr<impl> p) noexcept;

  std::unique_ptr<impl> impl_;
};

} // namespace switchyard::telemetry
