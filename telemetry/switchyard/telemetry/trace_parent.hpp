#pragma once

#include "switchyard/telemetry/trace_context.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace switchyard::telemetry {

class tracer;

/// What work needs to hang its spans on a trace and to pass the trace on:
/// the context of the span it runs under, the tracer that records spans,
/// and the routing decision it serves (0 before there is one). Immutable
/// and shared: the gateway puts one on a task (`task_spec::trace`), the
/// task's calls carry it (`engine::call_request::trace`), and work that
/// opens a span of its own hands its children a new one
/// (`active_span::as_parent`).
struct trace_parent {
  trace_context context;
  /// Never null.
  std::shared_ptr<const telemetry::tracer> tracer;
  std::uint64_t decision_id = 0;
};

using trace_parent_ptr = std::shared_ptr<const trace_parent>;

/// `switchyard.decision.id`'s value: "dec_" and 16 hex digits, as
/// switchyard::format_decision_id writes a decision id everywhere else.
[[nodiscard]] std::string decision_id_text(std::uint64_t decision_id);

/// `parent` for the work of decision `decision_id`: a copy with the id set
/// (the same pointer when it has that id already; null for null).
[[nodiscard]] trace_parent_ptr with_decision(const trace_parent_ptr& parent,
                                             std::uint64_t decision_id);

} // namespace switchyard::telemetry
