#pragma once

#include "switchyard/telemetry/span.hpp"

namespace switchyard::telemetry {

/// Where finished spans go: the OTLP exporter in a process, a vector in a
/// test. Implementations are thread-safe and never block on I/O in
/// `record`, which runs on request and actor threads.
class span_sink {
public:
  virtual ~span_sink() = default;

  /// Takes a finished, sampled span.
  virtual void record(span s) = 0;
};

} // namespace switchyard::telemetry
