#include "switchyard/telemetry/tracer.hpp"

#include "switchyard/telemetry/id_generator.hpp"
#include "switchyard/telemetry/start_context.hpp"

#include <chrono>

namespace switchyard::telemetry {

tracer::tracer(tracer_options opts, std::shared_ptr<span_sink> sink,
               std::shared_ptr<const engine::time_source> time)
  : opts_(opts),
    sampler_(opts.sample_ratio),
    sink_(std::move(sink)),
    time_(std::move(time)) {
  auto wall_ms = time_->wall_ms();
  wall_anchor_ns_
    = wall_ms > 0 ? static_cast<std::uint64_t>(wall_ms) * 1'000'000u : 0u;
  monotonic_anchor_ = time_->monotonic();
}

std::uint64_t tracer::now_unix_nanos() const {
  auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 time_->monotonic() - monotonic_anchor_)
                 .count();
  return since > 0 ? wall_anchor_ns_ + static_cast<std::uint64_t>(since)
                   : wall_anchor_ns_;
}

void tracer::record(span s) const {
  sink_->record(std::move(s));
}

void tracer::record_upstream(const upstream_attempt& a) const {
  sink_->record_upstream(a);
}

void tracer::record_server(const server_request& r) const {
  sink_->record_server(r);
}

trace_parent_ptr
tracer::start_request_trace(std::string_view traceparent,
                            std::string_view tracestate,
                            telemetry::span_id& remote_parent) const {
  std::optional<trace_context> incoming;
  if (!traceparent.empty())
    incoming = parse_trace_context(traceparent, tracestate);
  remote_parent = incoming ? incoming->span_id : telemetry::span_id{};
  auto p = std::make_shared<trace_parent>();
  p->context = start_context(incoming, sampler_, thread_id_generator());
  p->tracer = shared_from_this();
  return p;
}

trace_parent_ptr tracer::start_root_trace() const {
  auto p = std::make_shared<trace_parent>();
  p->context = start_root_context(sampler_, thread_id_generator());
  p->tracer = shared_from_this();
  return p;
}

} // namespace switchyard::telemetry
