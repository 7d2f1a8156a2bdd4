#pragma once

#include "switchyard/engine/money.hpp"
#include "switchyard/engine/performance.hpp"
#include "switchyard/engine/prompt_evidence.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace switchyard::engine {

/// What a decision read besides its request: the learned state, the
/// breakers and the budget. Kept with a logged decision so that it can be
/// recomputed exactly (`switchyard replay`).
struct routing_inputs {
  /// Whether the inputs were recorded; runtimes record them only when they
  /// log decisions.
  bool recorded = false;
  /// Learned performance per model (by registry index) for the decision's
  /// task type; empty when the router had no learned state.
  std::vector<model_performance> performance;
  /// Per provider: non-zero when its breaker refused calls.
  std::vector<std::uint8_t> breaker_open;
  std::optional<usd_nanos> budget_remaining;
  std::vector<double> provider_share;
  /// Per-prompt success predictions per model; empty when there were none.
  std::vector<success_estimate> predicted_success;
  /// What the prompt model's estimates read (cluster, neighbours).
  prompt_evidence prompt;
  /// Per provider and per model: an engine::unavailability (0: available);
  /// empty when everything was.
  std::vector<std::uint8_t> provider_unavailable;
  std::vector<std::uint8_t> model_unavailable;

  void clear() noexcept {
    recorded = false;
    performance.clear();
    breaker_open.clear();
    budget_remaining.reset();
    provider_share.clear();
    predicted_success.clear();
    prompt = {};
    provider_unavailable.clear();
    model_unavailable.clear();
  }
};

} // namespace switchyard::engine
