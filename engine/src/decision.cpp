#include "switchyard/engine/decision.hpp"

namespace switchyard::engine {

void decision::reset() noexcept {
  cls = classification{};
  tokens = token_estimate{};
  quality_required = 0.0;
  budget_cap = 0;
  latency_bound_s = 0.0;
  rule = selection_rule::none;
  notes = 0;
  model = 0;
  fallbacks.clear();
  parallel = false;
  ensemble.members.clear();
  ensemble.has_judge = false;
  ensemble.judge = 0;
  ensemble.strategy = consensus_strategy::judge;
  ensemble.max_cost = 0;
  ensemble.quorum = 0;
  ensemble.deadline_ms = 0;
  candidates.clear();
  filtered_out.clear();
  config_hash = 0;
  inputs.clear();
}

} // namespace switchyard::engine
