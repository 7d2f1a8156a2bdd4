#pragma once

#include "switchyard/engine/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::engine {

/// Where a task stands in its retries, for routing it again.
struct route_context {
  std::vector<std::uint16_t> exclude;
  std::uint32_t local_failures = 0;
  /// What the ledger says is left; none until a reservation was refused.
  std::optional<usd_nanos> budget_remaining;
  /// A registry id that an A/B test forces for this round, over the task's
  /// own force_model; empty for none.
  std::string force_model;
};

} // namespace switchyard::engine
