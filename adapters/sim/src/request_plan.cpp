#include "switchyard/sim/request_plan.hpp"

#include <algorithm>
#include <cmath>

namespace switchyard::sim {

std::uint64_t hash_name(std::string_view name) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::chrono::microseconds sample_delay(const delay_spec& d, double z,
                                       double time_scale) noexcept {
  if (d.p50_ms <= 0.0 || time_scale <= 0.0)
    return std::chrono::microseconds{0};
  // Lognormal with median p50: p99 = p50 * exp(2.3263 * sigma).
  constexpr double z99 = 2.326347874;
  double sigma = d.p99_ms > d.p50_ms ? std::log(d.p99_ms / d.p50_ms) / z99
                                     : 0.0;
  double ms = d.p50_ms * std::exp(sigma * z);
  // The tail is cut at 4x p99: a simulated outlier, not a stalled demo.
  ms = std::min(ms, 4.0 * std::max(d.p99_ms, d.p50_ms));
  return std::chrono::microseconds{
    static_cast<std::int64_t>(ms * time_scale * 1000.0)};
}

namespace {

/// A standard normal from two uniforms (Box-Muller).
double normal(split_mix& rng) noexcept {
  double u1 = rng.uniform();
  double u2 = rng.uniform();
  if (u1 < 1e-300)
    u1 = 1e-300;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

} // namespace

request_plan plan_request(const model_profile& profile, double time_scale,
                          std::uint64_t seed, std::string_view model,
                          std::uint64_t n, std::uint32_t max_tokens) noexcept {
  split_mix rng{seed ^ hash_name(model) ^ (n * 0xD1B54A32D192ED03ull)};
  // Burn one output: nearby seeds then share no prefix.
  rng.next();
  request_plan plan;
  // Always the same number of draws in the same order, whatever the
  // outcome, so that changing one rate changes nothing else.
  double u_fault = rng.uniform();
  double z_latency = normal(rng);
  double z_ttft = normal(rng);
  double u_tokens = rng.uniform();
  plan.text_seed = rng.next();
  double cumulative = 0.0;
  for (std::size_t i = 1; i < fault_count; ++i) {
    cumulative += profile.fault_rates[i];
    if (u_fault < cumulative) {
      plan.fault = static_cast<fault>(i);
      break;
    }
  }
  plan.latency = sample_delay(profile.latency, z_latency, time_scale);
  plan.ttft = sample_delay(profile.ttft, z_ttft, time_scale);
  auto lo = profile.output_tokens_min;
  auto hi = std::max(profile.output_tokens_max, lo);
  auto span = static_cast<double>(hi - lo + 1);
  auto tokens
    = lo + static_cast<std::uint32_t>(std::min(u_tokens * span, span - 1.0));
  if (max_tokens > 0 && tokens > max_tokens) {
    tokens = max_tokens;
    plan.hit_limit = true;
  }
  plan.output_tokens = std::max<std::uint32_t>(tokens, 1);
  // Drawn last, so that configs written before tool calls existed keep
  // every earlier draw.
  plan.calls_tool = rng.uniform() < profile.tool_call_rate;
  if (profile.tokens_per_second > 0.0 && time_scale > 0.0)
    plan.per_token = std::chrono::microseconds{
      static_cast<std::int64_t>(1e6 / profile.tokens_per_second * time_scale)};
  return plan;
}

} // namespace switchyard::sim
