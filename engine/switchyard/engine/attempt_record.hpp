#pragma once

#include "switchyard/engine/provider_call.hpp"

#include <cstdint>

namespace switchyard::engine {

/// One attempt at a model while executing a task.
struct attempt_record {
  std::uint16_t model = 0;
  call_error error = call_error::none;
  double latency_ms = 0.0;
  std::int64_t cost_nanos = 0;
  /// Retries inside this attempt (same model, after a retryable error).
  /// Not in the decision log's encoding.
  std::uint32_t retries = 0;
};

} // namespace switchyard::engine
