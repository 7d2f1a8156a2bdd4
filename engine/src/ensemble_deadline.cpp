#include "switchyard/engine/ensemble_deadline.hpp"

#include "switchyard/engine/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace switchyard::engine {

double expected_member_latency_s(const model_spec& m,
                                 const model_performance* learned,
                                 std::uint32_t output_tokens) noexcept {
  // An EMA that never saw a latency reads 0 (learned_view): not a sample.
  if (learned != nullptr && learned->samples > 0.0 && learned->latency_ms > 0.0)
    return learned->latency_ms / 1000.0;
  return estimate_latency_s(m, output_tokens);
}

std::uint32_t
ensemble_deadline_ms(const registry& reg, std::span<const std::uint16_t> members,
                     task_type type, std::uint32_t output_tokens,
                     const performance_table* performance) noexcept {
  double slowest_s = 0.0;
  for (auto m : members) {
    const auto* learned
      = performance != nullptr ? performance->find(m, type) : nullptr;
    slowest_s = std::max(slowest_s, expected_member_latency_s(reg.models[m],
                                                              learned,
                                                              output_tokens));
  }
  return hedge_deadline_ms(reg.policy, slowest_s);
}

std::uint32_t hedge_deadline_ms(const routing_policy& policy,
                                double slowest_s) noexcept {
  auto seconds = std::min(policy.ensemble_member_timeout_s,
                          policy.hedge_latency_factor * slowest_s);
  auto ms = std::ceil(seconds * 1000.0);
  constexpr auto max_ms
    = static_cast<double>(std::numeric_limits<std::uint32_t>::max());
  if (!(ms >= 1.0)) // also NaN
    return 1;
  return static_cast<std::uint32_t>(std::min(ms, max_ms));
}

std::uint8_t ensemble_quorum(const routing_policy& policy,
                             std::size_t members) noexcept {
  if (policy.ensemble_quorum == 0 || policy.ensemble_quorum >= members)
    return 0;
  return static_cast<std::uint8_t>(
    std::min<std::uint32_t>(policy.ensemble_quorum,
                            std::numeric_limits<std::uint8_t>::max()));
}

ensemble_next ensemble_progress(std::size_t members, std::size_t answered,
                                std::size_t succeeded, std::uint8_t quorum,
                                bool deadline_passed) noexcept {
  if (answered >= members)
    return succeeded > 0 ? ensemble_next::proceed : ensemble_next::fail;
  if (quorum > 0 && succeeded >= quorum)
    return ensemble_next::proceed;
  if (deadline_passed && succeeded > 0)
    return ensemble_next::proceed;
  return ensemble_next::wait;
}

} // namespace switchyard::engine
