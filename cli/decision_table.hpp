#pragma once

#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/decision.hpp"
#include "switchyard/engine/registry.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace switchyard::cli {

struct routed_task {
  std::string text;
  std::string decision_id;
  engine::decision decision;
};

/// One row per task: tier, type, model, rule, cost, fallbacks or ensemble.
void print_decision_table(std::ostream& os, const std::vector<routed_task>& rows,
                          const engine::registry& reg);

/// One task in full: the decision, every candidate's points per factor, the
/// filtered-out models with reasons, and the rationale.
void print_decision_detail(std::ostream& os, const routed_task& row,
                           const engine::registry& reg,
                           const engine::keyword_classifier& cls);

} // namespace switchyard::cli
