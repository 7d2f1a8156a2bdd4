#pragma once

#include "switchyard/engine/clock.hpp"
#include "switchyard/engine/time_source.hpp"
#include "switchyard/telemetry/sampler.hpp"
#include "switchyard/telemetry/span_sink.hpp"
#include "switchyard/telemetry/trace_parent.hpp"

#include <cstdint>
#include <memory>
#include <string_view>

namespace switchyard::telemetry {

/// The operator's choices that instrumentation reads (the `telemetry`
/// section of the configuration; see `telemetry_config`).
struct tracer_options {
  /// The share of new traces (roots) sampled, 0..1.
  double sample_ratio = 1.0;
  /// `traceparent` goes to commercial APIs too, not only to local and
  /// self-hosted upstreams.
  bool propagate_to_providers = false;
  /// Prompt and completion text on upstream spans (Opt-In attributes).
  bool capture_content = false;
};

/// A process's tracer: it samples new traces, dates spans and hands
/// finished sampled spans to its sink (the exporter). Every trace it starts
/// holds it (`trace_parent::tracer`), so that any layer a task passes
/// through (the gateway, the coordinator, an executor) records spans
/// without configuration of its own. Immutable once made; thread-safe.
///
/// There is no tracer when export is off: then no trace is started, no
/// context travels with a task, no `traceparent` goes upstream, and no
/// span is ever built.
class tracer : public std::enable_shared_from_this<tracer> {
public:
  /// `sink` and `time` must not be null. Reads the wall clock once, here.
  tracer(tracer_options opts, std::shared_ptr<span_sink> sink,
         std::shared_ptr<const engine::time_source> time);

  [[nodiscard]] const telemetry::sampler& sampler() const noexcept {
    return sampler_;
  }

  [[nodiscard]] const tracer_options& options() const noexcept {
    return opts_;
  }

  /// Unix nanoseconds now: the wall clock as read at construction plus the
  /// monotonic time since, so that a span's length never jumps with the
  /// wall clock (NTP steps, leap smearing).
  [[nodiscard]] std::uint64_t now_unix_nanos() const;

  /// Hands a finished span to the sink. Callers record sampled spans only
  /// (`trace_context::sampled()`): an unsampled span costs nothing because
  /// it is never built.
  void record(span s) const;

  /// Hands the sink the client span of a finished upstream attempt of a
  /// sampled trace (span_sink::record_upstream).
  void record_upstream(const upstream_attempt& a) const;

  /// Hands the sink the server span of a request of a sampled trace
  /// (span_sink::record_server).
  void record_server(const server_request& r) const;

  /// The trace of a request that arrived with these `traceparent` and
  /// `tracestate` header values (empty when absent): the context of the
  /// request's own (server) span, a child of the caller's span when
  /// `traceparent` parses (parent-based sampling), else a new root sampled
  /// at `sample_ratio`. `remote_parent` gets the caller's span id (all
  /// zeros for a root).
  [[nodiscard]] trace_parent_ptr
  start_request_trace(std::string_view traceparent,
                      std::string_view tracestate,
                      telemetry::span_id& remote_parent) const;

  /// A new trace for work that arrived without one (an embedding program's
  /// task): a root context sampled at `sample_ratio`.
  [[nodiscard]] trace_parent_ptr start_root_trace() const;

private:
  tracer_options opts_;
  telemetry::sampler sampler_;
  std::shared_ptr<span_sink> sink_;
  std::shared_ptr<const engine::time_source> time_;
  std::uint64_t wall_anchor_ns_ = 0;
  engine::time_point monotonic_anchor_{};
};

} // namespace switchyard::telemetry
