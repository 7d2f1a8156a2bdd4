#include "switchyard/engine/retry_backoff.hpp"

#include <algorithm>
#include <cmath>

namespace switchyard::engine {

std::optional<std::chrono::milliseconds>
retry_delay(const retry_config& cfg, std::uint32_t attempt, std::uint64_t seed,
            std::optional<std::chrono::milliseconds> retry_after) noexcept {
  using std::chrono::milliseconds;
  if (attempt == 0 || attempt > cfg.max_retries)
    return std::nullopt;
  if (retry_after && *retry_after > cfg.max_retry_after)
    return std::nullopt;
  auto base = static_cast<double>(cfg.initial_backoff.count())
              * std::exp2(static_cast<double>(std::min(attempt - 1, 30u)));
  base = std::min(base, static_cast<double>(cfg.max_backoff.count()));
  // Uniform in [-1, 1) from the top 53 bits.
  auto r = splitmix64(seed ^ (static_cast<std::uint64_t>(attempt) << 32));
  auto unit = static_cast<double>(r >> 11) * 0x1.0p-53 * 2.0 - 1.0;
  auto jittered = base * (1.0 + cfg.jitter * unit);
  auto delay = milliseconds{static_cast<std::int64_t>(std::llround(jittered))};
  if (retry_after)
    delay = std::max(delay, *retry_after);
  return delay;
}

} // namespace switchyard::engine
