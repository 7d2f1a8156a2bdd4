#include "switchyard/telemetry/trace_parent.hpp"

#include <cstdio>

namespace switchyard::telemetry {

std::string decision_id_text(std::uint64_t decision_id) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "dec_%016llx",
                static_cast<unsigned long long>(decision_id));
  return buf;
}

trace_parent_ptr with_decision(const trace_parent_ptr& parent,
                               std::uint64_t decision_id) {
  if (!parent || parent->decision_id == decision_id)
    return parent;
  auto copy = std::make_shared<trace_parent>(*parent);
  copy->decision_id = decision_id;
  return copy;
}

} // namespace switchyard::telemetry
