#pragma once

#include "switchyard/engine/performance.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/task_type.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace switchyard::engine {

// -- hedged ensembles (DESIGN.md "Execution plans") ----------------------------

/// Seconds that hedging expects a call on `m` to take: the learned EMA
/// latency (`learned->latency_ms`) once it has samples, else the registry's
/// estimate for `output_tokens` (estimate_latency_s). Null `learned`: no
/// learning yet.
[[nodiscard]] double expected_member_latency_s(const model_spec& m,
                                               const model_performance* learned,
                                               std::uint32_t output_tokens) noexcept;

/// Milliseconds after its start at which an ensemble stops waiting for its
/// stragglers: the smaller of `policy.ensemble_member_timeout_s` and
/// `policy.hedge_latency_factor` times the slowest member's expected latency
/// for task type `type`. A multiple of the learned mean needs no quantile
/// state and still adapts to a provider that slows down. Rounded up, and at
/// least 1: a record reads 0 as "no deadline".
[[nodiscard]] std::uint32_t
ensemble_deadline_ms(const registry& reg, std::span<const std::uint16_t> members,
                     task_type type, std::uint32_t output_tokens,
                     const performance_table* performance) noexcept;

/// The same deadline from the slowest member's expected latency in
/// seconds (a plan's specialists read it from their candidates'
/// candidate::expected_latency_s).
[[nodiscard]] std::uint32_t hedge_deadline_ms(const routing_policy& policy,
                                              double slowest_s) noexcept;

/// The quorum an ensemble of `members` runs with: `policy.ensemble_quorum`,
/// or 0 (all members) when that is 0 or asks for every member anyway.
[[nodiscard]] std::uint8_t ensemble_quorum(const routing_policy& policy,
                                           std::size_t members) noexcept;

/// What an ensemble does after an answer arrives or its deadline passes.
enum class ensemble_next : std::uint8_t {
  wait,    ///< keep waiting for members
  proceed, ///< to the consensus, cutting the members still running
  fail,    ///< every member answered, none successfully
};

/// Proceeds once `quorum` members (0: all) have answered successfully, or
/// once the deadline has passed with at least one success; fails when every
/// member failed. A deadline with no success yet waits for the first one.
[[nodiscard]] ensemble_next ensemble_progress(std::size_t members,
                                              std::size_t answered,
                                              std::size_t succeeded,
                                              std::uint8_t quorum,
                                              bool deadline_passed) noexcept;

} // namespace switchyard::engine
