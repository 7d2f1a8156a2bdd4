#include "switchyard/engine/circuit_breaker.hpp"

#include <algorithm>

namespace switchyard::engine {

circuit_breaker::circuit_breaker(breaker_config cfg)
  : cfg_(cfg),
    window_(std::max<std::uint32_t>(cfg.window, 1), 0),
    cooldown_(cfg.cooldown) {
}

bool circuit_breaker::cooldown_over(time_point now) const noexcept {
  return now - opened_at_ >= cooldown_;
}

bool circuit_breaker::probe_expired(time_point now) const noexcept {
  return now - probe_started_ >= cfg_.probe_timeout;
}

bool circuit_breaker::try_acquire(time_point now) noexcept {
  switch (state_) {
    case breaker_state::closed:
      return true;
    case breaker_state::open:
      if (!cooldown_over(now))
        return false;
      state_ = breaker_state::half_open;
      pending_transition_ = state_;
      probe_successes_ = 0;
      probe_in_flight_ = true;
      probe_started_ = now;
      return true;
    case breaker_state::half_open:
      if (probe_in_flight_ && !probe_expired(now))
        return false;
      probe_in_flight_ = true;
      probe_started_ = now;
      return true;
  }
  return false;
}

std::optional<breaker_state> circuit_breaker::poll(time_point now) noexcept {
  if (state_ != breaker_state::open || !cooldown_over(now))
    return std::nullopt;
  state_ = breaker_state::half_open;
  probe_successes_ = 0;
  probe_in_flight_ = false;
  return state_;
}

std::optional<breaker_state> circuit_breaker::on_probe_success() noexcept {
  if (state_ != breaker_state::open)
    return std::nullopt;
  // The provider answers again: let calls test it now rather than after the
  // cooldown, but only calls can close the breaker.
  state_ = breaker_state::half_open;
  probe_successes_ = 0;
  probe_in_flight_ = false;
  return state_;
}

bool circuit_breaker::refuses(time_point now) const noexcept {
  switch (state_) {
    case breaker_state::closed:
      return false;
    case breaker_state::open:
      return !cooldown_over(now);
    case breaker_state::half_open:
      return probe_in_flight_ && !probe_expired(now);
  }
  return true;
}

void circuit_breaker::record(bool failed) noexcept {
  auto size = static_cast<std::uint32_t>(window_.size());
  if (window_calls_ == size)
    window_failures_ -= window_[window_next_];
  else
    ++window_calls_;
  window_[window_next_] = failed ? 1 : 0;
  window_failures_ += failed ? 1 : 0;
  window_next_ = (window_next_ + 1) % size;
}

void circuit_breaker::open(time_point now,
                           std::chrono::milliseconds cooldown) noexcept {
  state_ = breaker_state::open;
  opened_at_ = now;
  cooldown_ = std::min(cooldown, cfg_.max_cooldown);
  probe_in_flight_ = false;
  probe_successes_ = 0;
}

void circuit_breaker::close() noexcept {
  state_ = breaker_state::closed;
  consecutive_failures_ = 0;
  std::fill(window_.begin(), window_.end(), 0);
  window_next_ = 0;
  window_calls_ = 0;
  window_failures_ = 0;
  cooldown_ = cfg_.cooldown;
  probe_in_flight_ = false;
  probe_successes_ = 0;
}

std::optional<breaker_state>
circuit_breaker::force_open(time_point now,
                            std::chrono::milliseconds cooldown) noexcept {
  if (state_ == breaker_state::open || cooldown <= std::chrono::milliseconds{0})
    return std::nullopt;
  open(now, cooldown);
  return state_;
}

std::optional<breaker_state>
circuit_breaker::on_success(time_point) noexcept {
  switch (state_) {
    case breaker_state::closed:
      consecutive_failures_ = 0;
      record(false);
      return std::nullopt;
    case breaker_state::open:
      // A call admitted before the breaker opened; it changes nothing.
      return std::nullopt;
    case breaker_state::half_open:
      probe_in_flight_ = false;
      if (++probe_successes_ >= cfg_.half_open_successes) {
        close();
        return state_;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<breaker_state>
circuit_breaker::on_failure(time_point now) noexcept {
  switch (state_) {
    case breaker_state::closed: {
      ++consecutive_failures_;
      record(true);
      bool by_count = consecutive_failures_ >= cfg_.consecutive_failures;
      bool by_rate = window_calls_ >= cfg_.min_calls
                     && static_cast<double>(window_failures_)
                          >= cfg_.failure_rate
                               * static_cast<double>(window_calls_);
      if (by_count || by_rate) {
        open(now, cfg_.cooldown);
        return state_;
      }
      return std::nullopt;
    }
    case breaker_state::open:
      return std::nullopt;
    case breaker_state::half_open:
      open(now, cooldown_ * 2);
      return state_;
  }
  return std::nullopt;
}

} // namespace switchyard::engine
