#include "switchyard/telemetry/trace_parent.hpp"

#include "hex.hpp"

namespace switchyard::telemetry {

std::string decision_id_text(std::uint64_t decision_id) {
  // By hand: snprintf stood out in the traced gateway's profile, run on
  // every span that carries a decision.
  std::string out = "dec_0000000000000000";
  for (std::size_t i = 0; i < 16; ++i)
    out[4 + i] = detail::hex_digits[(decision_id >> (60 - 4 * i)) & 0x0f];
  return out;
}

trace_parent_ptr with_decision(const trace_parent_ptr& parent,
                               std::uint64_t decision_id) {
  if (!parent || parent->decision_id == decision_id)
    return parent;
  auto copy = std::make_shared<trace_parent>();
  copy->context = parent->context;
  // Shares `parent`'s ownership rather than the tracer's: a copy of the
  // tracer's pointer would count on the one control block that every
  // thread of the process writes.
  copy->tracer = std::shared_ptr<const tracer>(parent, parent->tracer.get());
  copy->decision_id = decision_id;
  return copy;
}

} // namespace switchyard::telemetry
