#pragma once

#include "switchyard/engine/task_type.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::engine {

/// One specialist of a `specialists` or `critic` plan: its name (the step's
/// role) and the instruction its call opens with.
struct plan_role {
  std::string name;
  std::string prompt;
};

/// How plans run (the registry's `plans:` section; DESIGN.md "Execution
/// plans").
struct plan_policy {
  /// Specialist roles per task type; an empty entry takes the defaults
  /// (default_roles with their built-in instructions).
  std::array<std::vector<plan_role>, task_type_count> roles;
  /// A critic's score (0..1) below this asks for a revision.
  double critic_threshold = 0.7;
  /// Revision rounds a critic may ask for after the first synthesis.
  std::uint32_t max_revisions = 1;
  /// Quality escalation: after a single-call answer a cheap judge rates it
  /// (0..1); below this the task runs again on the next stronger capable
  /// model, budget allowing. None: off.
  std::optional<double> escalate_below_quality;
};

} // namespace switchyard::engine
