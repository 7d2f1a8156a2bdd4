#pragma once

#include <cstdint>
#include <string>

namespace switchyard::telemetry {

/// What a span exporter has done since it started, for tests and metrics.
/// Every span recorded ends up in exactly one of `exported_spans` and
/// `dropped_spans`, or is still `queued_spans` (or in the request in
/// flight).
struct exporter_stats {
  /// Spans `record` accepted into the queue.
  std::uint64_t recorded_spans = 0;
  /// Spans the collector accepted.
  std::uint64_t exported_spans = 0;
  /// Spans lost for any reason: the queue was full, the export failed, the
  /// collector rejected them, or shutdown ran out of time.
  std::uint64_t dropped_spans = 0;
  /// Of `dropped_spans`: those refused by `record` because the queue was
  /// full (or the exporter shut down).
  std::uint64_t queue_full_spans = 0;
  /// Export requests that failed (transport error or non-2xx status); their
  /// spans count in `dropped_spans`.
  std::uint64_t failed_exports = 0;
  /// Spans waiting in the queue now.
  std::uint64_t queued_spans = 0;
  /// Why the last export failed, e.g. `POST http://c:4318/v1/traces:
  /// connect: Connection refused` or `...: HTTP 401`; empty if none did.
  /// Never holds a header or a response body.
  std::string last_failure;
};

} // namespace switchyard::telemetry
