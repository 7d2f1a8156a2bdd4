#pragma once

#include "switchyard/engine/clock.hpp"
#include "switchyard/engine/registry.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace switchyard::engine {

enum class breaker_state : std::uint8_t { closed, open, half_open };

inline constexpr std::array<std::string_view, 3> breaker_state_names{
  "closed", "open", "half_open"};

[[nodiscard]] constexpr std::string_view to_string(breaker_state s) noexcept {
  return breaker_state_names[static_cast<std::size_t>(s)];
}

/// Per-provider circuit breaker. Never reads a clock: callers pass `now`.
///
/// closed -> open after `consecutive_failures` failures in a row, or when the
/// failure share over the last `window` calls reaches `failure_rate` with at
/// least `min_calls` in the window. open -> half_open once the cooldown has
/// passed; half_open lets one probe through at a time and closes after
/// `half_open_successes` successful probes in a row. A failed probe re-opens
/// with the cooldown doubled, up to `max_cooldown`; closing resets it.
class circuit_breaker {
public:
  explicit circuit_breaker(breaker_config cfg);

  /// Asks to make a call now. In half-open, grants one probe at a time.
  /// May move open -> half_open; `transition` reports that.
  [[nodiscard]] bool try_acquire(time_point now) noexcept;

  /// Moves open -> half_open once the cooldown is over, without taking the
  /// probe slot, so that routing can offer the provider a probe again.
  /// Returns the new state when it changed.
  std::optional<breaker_state> poll(time_point now) noexcept;

  /// When an open breaker's cooldown ends.
  [[nodiscard]] time_point reopens_at() const noexcept {
    return opened_at_ + cooldown_;
  }

  /// Whether a call asked for now would be refused, without changing state.
  [[nodiscard]] bool refuses(time_point now) const noexcept;

  /// A health probe (the provider's models endpoint) succeeded: an open
  /// breaker moves to half_open at once, never straight to closed. A failed
  /// probe is reported with on_failure, like a failed call. Returns the new
  /// state when it changed.
  std::optional<breaker_state> on_probe_success() noexcept;

  /// Reports a call's outcome. Returns the new state when it changed.
  std::optional<breaker_state> on_success(time_point now) noexcept;
  std::optional<breaker_state> on_failure(time_point now) noexcept;

  /// Opens for `cooldown` because a peer's breaker for the same provider
  /// opened (clustering). Returns the new state when it changed; an open
  /// breaker stays as it is.
  std::optional<breaker_state>
  force_open(time_point now, std::chrono::milliseconds cooldown) noexcept;

  /// The state change caused by the last try_acquire, if any.
  [[nodiscard]] std::optional<breaker_state> take_transition() noexcept {
    auto t = pending_transition_;
    pending_transition_.reset();
    return t;
  }

  [[nodiscard]] breaker_state state() const noexcept {
    return state_;
  }

  [[nodiscard]] std::chrono::milliseconds cooldown() const noexcept {
    return cooldown_;
  }

  [[nodiscard]] time_point opened_at() const noexcept {
    return opened_at_;
  }

  [[nodiscard]] std::uint32_t consecutive_failures() const noexcept {
    return consecutive_failures_;
  }

  /// Calls and failures currently in the sliding window.
  [[nodiscard]] std::uint32_t window_calls() const noexcept {
    return window_calls_;
  }

  [[nodiscard]] std::uint32_t window_failures() const noexcept {
    return window_failures_;
  }

  [[nodiscard]] const breaker_config& config() const noexcept {
    return cfg_;
  }

private:
  void record(bool failed) noexcept;
  void open(time_point now, std::chrono::milliseconds cooldown) noexcept;
  void close() noexcept;
  [[nodiscard]] bool cooldown_over(time_point now) const noexcept;
  [[nodiscard]] bool probe_expired(time_point now) const noexcept;

  breaker_config cfg_;
  breaker_state state_ = breaker_state::closed;
  std::uint32_t consecutive_failures_ = 0;
  /// Ring of the last `window` outcomes, 1 = failure.
  std::vector<std::uint8_t> window_;
  std::uint32_t window_next_ = 0;
  std::uint32_t window_calls_ = 0;
  std::uint32_t window_failures_ = 0;
  time_point opened_at_{};
  std::chrono::milliseconds cooldown_;
  bool probe_in_flight_ = false;
  time_point probe_started_{};
  std::uint32_t probe_successes_ = 0;
  std::optional<breaker_state> pending_transition_;
};

} // namespace switchyard::engine
