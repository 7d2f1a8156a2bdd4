#pragma once

#include "switchyard/clock/system_time.hpp"
#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/provider_call.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/success_predictor.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace switchyard::actors {

/// Immutable things every actor of a runtime shares.
struct runtime_context {
  std::shared_ptr<const engine::registry> registry;
  std::shared_ptr<const engine::keyword_classifier> classifier;
  /// Process-unique call ids, so that any actor can cancel a call it made.
  std::shared_ptr<std::atomic<std::uint64_t>> call_ids
    = std::make_shared<std::atomic<std::uint64_t>>(0);
  /// Used when a call states no timeout of its own.
  engine::call_timeouts default_timeouts{std::chrono::seconds{5},
                                         std::chrono::seconds{30},
                                         std::chrono::seconds{120}};
  /// Seeds retry jitter; fixed in tests for reproducible runs.
  std::uint64_t seed = 0x5eed;
  /// Wall-clock time for whatever outlives the process: the decay of
  /// learned state, decision and feedback times, the ledger's day. Actor
  /// clocks (`self->clock()`) are steady and restart with the process, so
  /// learned state cannot decay on them. Tests inject simulated time.
  std::shared_ptr<const engine::time_source> time = system_time();
  /// Whether the scorer keeps each decision's inputs (for the decision
  /// log); costs a copy per decision, so only with a store.
  bool record_inputs = false;
  /// Whether background work (the prompt model's re-fits) gets a thread of
  /// its own; the deterministic test coordinator turns it off.
  bool detach_background_work = true;
  /// The per-prompt success predictor's settings; none turns it off (the
  /// scorer then computes no features and learning trains nothing).
  std::optional<engine::success_predictor_params> predictor
    = engine::success_predictor_params{16, 0.3, 50.0};

  [[nodiscard]] std::uint64_t next_call_id() const noexcept {
    return call_ids->fetch_add(1, std::memory_order_relaxed) + 1;
  }

  [[nodiscard]] std::int64_t wall_now_ms() const {
    return time->wall_ms();
  }

  /// Seconds since the Unix epoch, as the learning engine counts time.
  [[nodiscard]] double wall_now_s() const {
    return static_cast<double>(wall_now_ms()) / 1000.0;
  }
};

/// Budgets in USD; none means unlimited.
struct budget_limits {
  std::optional<double> global_usd;
  std::optional<double> daily_usd;
  std::optional<double> per_key_usd;
};

} // namespace switchyard::actors
