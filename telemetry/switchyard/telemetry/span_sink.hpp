#pragma once

#include "switchyard/telemetry/server_span.hpp"
#include "switchyard/telemetry/span.hpp"
#include "switchyard/telemetry/upstream_span.hpp"

namespace switchyard::telemetry {

/// Where finished spans go: the OTLP exporter in a process, a vector in a
/// test. Implementations are thread-safe and never block on I/O in
/// `record`, which runs on request and actor threads.
class span_sink {
public:
  virtual ~span_sink() = default;

  /// Takes a finished, sampled span.
  virtual void record(span s) = 0;

  /// Takes the client span of a finished upstream attempt of a sampled
  /// trace: `record(make_upstream_span(a))` unless the sink can do without
  /// the span object (the exporter writes its OTLP/JSON at once).
  virtual void record_upstream(const upstream_attempt& a) {
    record(make_upstream_span(a));
  }

  /// Takes the server span of a request of a sampled trace, likewise.
  virtual void record_server(const server_request& r) {
    record(make_server_span(r));
  }
};

} // namespace switchyard::telemetry
