#pragma once

#include "switchyard/engine/availability.hpp"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace switchyard::actors {

/// What the health actor knows about each provider, for those outside the
/// actors (the gateway's start-up report, /v1/providers, /v1/models and
/// /readyz). The health actor writes it; anyone reads a copy.
class availability_board {
public:
  struct provider_row {
    engine::unavailability state = engine::unavailability::none;
    /// Whether health probes run for it.
    bool probed = false;
    std::uint32_t probes = 0;
    std::uint32_t consecutive_failures = 0;
    /// Wall time of the newest probe's answer, ms since the epoch; 0: none.
    std::int64_t last_probe_unix_ms = 0;
    int last_status = 0;
    std::string last_error;
    /// What its newest successful listing named.
    std::vector<std::string> served;
  };

  struct snapshot {
    std::vector<provider_row> providers;
    /// engine::unavailability per registry model.
    std::vector<std::uint8_t> models;
  };

  [[nodiscard]] snapshot read() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return state_;
  }

  void write(snapshot s) {
    std::lock_guard<std::mutex> guard{mutex_};
    state_ = std::move(s);
  }

  /// Whether the first discovery round is over: every probed provider
  /// answered once, or its bound passed. Until then nothing is known of
  /// local servers, and the gateway is not ready.
  [[nodiscard]] bool first_round_done() const noexcept {
    return first_round_done_.load(std::memory_order_acquire);
  }

  void finish_first_round() noexcept {
    first_round_done_.store(true, std::memory_order_release);
  }

private:
  mutable std::mutex mutex_;
  snapshot state_;
  std::atomic<bool> first_round_done_{false};
};

} // namespace switchyard::actors
