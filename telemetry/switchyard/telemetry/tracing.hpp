#pragma once

#include "switchyard/config/env_lookup.hpp"
#include "switchyard/engine/time_source.hpp"
#include "switchyard/telemetry/exporter_settings.hpp"
#include "switchyard/telemetry/span_exporter.hpp"
#include "switchyard/telemetry/telemetry_config.hpp"
#include "switchyard/telemetry/tracer.hpp"

#include <caf/expected.hpp>

#include <memory>
#include <string>

namespace switchyard::telemetry {

/// A process's tracing as configured: the exporter and the tracer that
/// records into it. Both null when export is off (no endpoint): no thread,
/// no queue, and no trace is ever started.
struct tracing {
  std::shared_ptr<span_exporter> exporter;
  std::shared_ptr<const telemetry::tracer> tracer;

  [[nodiscard]] bool enabled() const noexcept {
    return tracer != nullptr;
  }
};

/// Resolves `cfg` against the environment (`resolve_exporter_settings`:
/// an explicit setting wins, then the `OTEL_*` variables) and, when an
/// endpoint results, starts the exporter and makes the tracer over it,
/// dating spans on `time`. Fails with the settings' `invalid_config` or the
/// exporter's error.
[[nodiscard]] caf::expected<tracing>
start_tracing(const telemetry_config& cfg, const config::env_lookup& env,
              std::shared_ptr<const engine::time_source> time);

/// The exporter's counters as Prometheus text:
/// `switchyard_trace_spans_total{result="recorded|exported|dropped"}`,
/// `switchyard_trace_spans_dropped_queue_full_total`,
/// `switchyard_trace_export_failures_total` and
/// `switchyard_trace_spans_queued`.
[[nodiscard]] std::string prometheus_text(const exporter_stats& s);

} // namespace switchyard::telemetry
