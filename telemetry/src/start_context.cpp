#include "switchyard/telemetry/start_context.hpp"

namespace switchyard::telemetry {

trace_context start_root_context(const sampler& s, id_generator& ids) {
  trace_context ctx;
  ctx.trace_id = ids.next_trace_id();
  ctx.span_id = ids.next_span_id();
  ctx.flags = random_flag;
  if (s.sample_root(ctx.trace_id))
    ctx.flags |= sampled_flag;
  return ctx;
}

trace_context start_child_context(const trace_context& parent,
                                  id_generator& ids) {
  trace_context ctx;
  ctx.trace_id = parent.trace_id;
  ctx.span_id = ids.next_span_id();
  ctx.flags = parent.flags;
  ctx.trace_state = parent.trace_state;
  return ctx;
}

trace_context start_context(const std::optional<trace_context>& incoming,
                            const sampler& s, id_generator& ids) {
  if (incoming && incoming->valid())
    return start_child_context(*incoming, ids);
  return start_root_context(s, ids);
}

} // namespace switchyard::telemetry
