#include "switchyard/telemetry/tracing.hpp"

namespace switchyard::telemetry {

caf::expected<tracing>
start_tracing(const telemetry_config& cfg, const config::env_lookup& env,
              std::shared_ptr<const engine::time_source> time) {
  auto settings = resolve_exporter_settings(cfg, env);
  if (!settings)
    return std::move(settings.error());
  tracing out;
  if (!settings->enabled())
    return out;
  auto made = span_exporter::make(std::move(*settings));
  if (!made)
    return std::move(made.error());
  out.exporter = std::move(*made);
  tracer_options opts;
  opts.sample_ratio = cfg.sample_ratio;
  opts.propagate_to_providers = cfg.propagate_to_providers;
  opts.capture_content = cfg.capture_content;
  out.tracer = std::make_shared<const tracer>(opts, out.exporter,
                                              std::move(time));
  return out;
}

std::string prometheus_text(const exporter_stats& s) {
  std::string out;
  out += "# HELP switchyard_trace_spans_total Spans by fate: recorded into "
         "the export queue, accepted by the collector, dropped (queue full, "
         "export failed or rejected, or shutdown).\n"
         "# TYPE switchyard_trace_spans_total counter\n"
         "switchyard_trace_spans_total{result=\"recorded\"} "
         + std::to_string(s.recorded_spans)
         + "\nswitchyard_trace_spans_total{result=\"exported\"} "
         + std::to_string(s.exported_spans)
         + "\nswitchyard_trace_spans_total{result=\"dropped\"} "
         + std::to_string(s.dropped_spans) + "\n";
  out += "# HELP switchyard_trace_spans_dropped_queue_full_total Spans "
         "dropped because the export queue was full.\n"
         "# TYPE switchyard_trace_spans_dropped_queue_full_total counter\n"
         "switchyard_trace_spans_dropped_queue_full_total "
         + std::to_string(s.queue_full_spans) + "\n";
  out += "# HELP switchyard_trace_export_failures_total OTLP export requests "
         "that failed (transport error, timeout or non-2xx status).\n"
         "# TYPE switchyard_trace_export_failures_total counter\n"
         "switchyard_trace_export_failures_total "
         + std::to_string(s.failed_exports) + "\n";
  out += "# HELP switchyard_trace_spans_queued Spans waiting for export.\n"
         "# TYPE switchyard_trace_spans_queued gauge\n"
         "switchyard_trace_spans_queued "
         + std::to_string(s.queued_spans) + "\n";
  return out;
}

} // namespace switchyard::telemetry
