#include "switchyard/telemetry/sampler.hpp"

#include <cmath>
#include <cstdio>

namespace switchyard::telemetry {

namespace {

// 2^56: the randomness is the rightmost 56 bits of the trace id.
constexpr std::uint64_t randomness_range = std::uint64_t{1} << 56;

double clamp_ratio(double ratio) noexcept {
  if (std::isnan(ratio) || ratio <= 0.0)
    return 0.0;
  return ratio >= 1.0 ? 1.0 : ratio;
}

std::uint64_t threshold_for(double ratio) noexcept {
  if (ratio >= 1.0)
    return 0;
  if (ratio <= 0.0)
    return randomness_range; // above every randomness: no root sampled
  auto t = std::llround((1.0 - ratio) * static_cast<double>(randomness_range));
  if (t <= 0)
    return 0;
  auto threshold = static_cast<std::uint64_t>(t);
  return threshold > randomness_range ? randomness_range : threshold;
}

} // namespace

sampler::sampler(double ratio) noexcept
  : ratio_(clamp_ratio(ratio)), threshold_(threshold_for(ratio_)) {
}

std::string sampler::description() const {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "ParentBased{root=TraceIdRatioBased{%f}}",
                ratio_);
  return buf;
}

} // namespace switchyard::telemetry
