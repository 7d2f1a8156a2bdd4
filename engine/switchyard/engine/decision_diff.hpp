#pragma once

#include "switchyard/engine/decision.hpp"
#include "switchyard/engine/registry.hpp"

#include <optional>
#include <string>

namespace switchyard::engine {

/// Where two decisions first differ: a field path such as
/// `candidates[2].points.cost`, and both values as text.
struct decision_difference {
  std::string path;
  std::string logged;
  std::string recomputed;
};

/// The first field, in declaration order, where `recomputed` differs from
/// `logged`; none when they are identical. Numbers compare exactly (a replay
/// on the same build is bit-for-bit). Model indices print as ids from `reg`.
/// Neither the recorded inputs (a replay starts from them) nor the config
/// hash (a replay may use another configuration on purpose) is compared.
[[nodiscard]] std::optional<decision_difference>
first_difference(const decision& logged, const decision& recomputed,
                 const registry& reg);

/// A digest of a decision's evidence: every candidate's model, points,
/// total, predicted quality, capability, cost and latency, and every
/// filtered model with its reason and values, bit for bit. The decision log
/// stores it instead of the evidence, so that a replay still notices when
/// any of it comes out differently. Never 0.
[[nodiscard]] std::uint64_t evidence_hash(const decision& d) noexcept;

} // namespace switchyard::engine
