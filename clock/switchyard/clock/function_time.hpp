#pragma once

#include "switchyard/engine/time_source.hpp"

#include <chrono>
#include <cstdint>
#include <functional>

namespace switchyard {

/// A clock that reads its time from functions, such as a test's simulated
/// actor clock: `wall_ms` for wall time, `monotonic` for monotonic time.
class function_time final : public engine::time_source {
 public:
  function_time(std::function<std::int64_t()> wall_ms,
                std::function<engine::time_point()> monotonic)
      : wall_ms_(std::move(wall_ms)), monotonic_(std::move(monotonic)) {
    // Both must be callable from any thread that reads the clock.
  }

  std::int64_t wall_ms() const override {
    return wall_ms_();
  }

  engine::time_point monotonic() const override {
    return monotonic_();
  }

  /// Wall time from `wall_ms`; monotonic time follows it (for clocks that
  /// never step back, such as a test's).
  explicit function_time(std::function<std::int64_t()> wall_ms)
      : wall_ms_(wall_ms), monotonic_([wall_ms] {
          return engine::time_point{std::chrono::milliseconds{wall_ms()}};
        }) {
    // Both read the one function.
  }

 private:
  std::function<std::int64_t()> wall_ms_;
  std::function<engine::time_point()> monotonic_;
};

} // namespace switchyard
