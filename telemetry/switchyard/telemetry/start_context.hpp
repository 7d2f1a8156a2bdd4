#pragma once

#include "switchyard/telemetry/id_generator.hpp"
#include "switchyard/telemetry/sampler.hpp"
#include "switchyard/telemetry/trace_context.hpp"

#include <optional>

namespace switchyard::telemetry {

/// The context of a new root span: fresh trace and span ids, the `random`
/// flag (the ids are random), and `sampled` as `s` decides for the trace id.
[[nodiscard]] trace_context start_root_context(const sampler& s,
                                               id_generator& ids);

/// The context of a new child of `parent` (a span of ours or a remote
/// caller's): the same trace id, flags and `tracestate`, a fresh span id.
/// The child's parent span id is `parent.span_id`.
[[nodiscard]] trace_context start_child_context(const trace_context& parent,
                                                id_generator& ids);

/// For a request that arrived with `incoming` (from
/// `parse_trace_context`): a child of it when present and valid, else a
/// root. This is parent-based sampling: the incoming `sampled` flag wins.
[[nodiscard]] trace_context
start_context(const std::optional<trace_context>& incoming, const sampler& s,
              id_generator& ids);

} // namespace switchyard::telemetry
