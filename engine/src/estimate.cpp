#include "switchyard/engine/estimate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace switchyard::engine {

namespace {

/// Typical answer length per tier, in tokens.
constexpr std::array<double, complexity_tier_count> base_output_tokens{
  150.0, 500.0, 1000.0, 1200.0};

struct task_shape {
  double output_multiplier;
  /// Share of the input that comes back out (a refactoring rewrites its input).
  double input_echo;
};

constexpr std::array<task_shape, task_type_count> task_shapes{{
  {1.5, 0.10}, // code_generation
  {0.8, 0.30}, // code_review
  {1.4, 0.20}, // testing
  {1.2, 1.00}, // refactoring
  {1.2, 0.05}, // reasoning
  {1.0, 0.05}, // planning
  {1.0, 0.10}, // analysis
  {1.0, 0.10}, // security_audit
  {1.3, 0.50}, // documentation
  {0.4, 0.02}, // tool_use
  {0.6, 0.02}, // multimodal
  {0.8, 0.005}, // long_context: a summary is short next to its input
  {0.8, 0.05}, // general
}};

/// Chat framing (role markers, BOS/EOS) added by every provider.
constexpr std::uint32_t framing_tokens = 8;

constexpr double cost_band = 0.30;

} // namespace

std::uint32_t estimate_input_tokens(std::size_t text_bytes,
                                    std::uint32_t context_tokens) noexcept {
  auto text_tokens = (text_bytes + 3) / 4;
  auto total = text_tokens + context_tokens + framing_tokens;
  return static_cast<std::uint32_t>(
    std::min<std::size_t>(total, std::numeric_limits<std::uint32_t>::max()));
}

double output_multiplier(task_type type) noexcept {
  return task_shapes[static_cast<std::size_t>(type)].output_multiplier;
}

std::uint32_t
estimate_output_tokens(complexity_tier tier, task_type type,
                       std::uint32_t input_tokens,
                       std::uint32_t max_tokens_per_task,
                       std::optional<std::uint32_t> caller_max) noexcept {
  const auto& shape = task_shapes[static_cast<std::size_t>(type)];
  auto base = base_output_tokens[static_cast<std::size_t>(tier)];
  auto estimate = base * shape.output_multiplier
                  + static_cast<double>(input_tokens) * shape.input_echo;
  auto cap = static_cast<double>(max_tokens_per_task);
  if (caller_max)
    cap = std::min(cap, static_cast<double>(*caller_max));
  estimate = std::clamp(estimate, 16.0, std::max(cap, 16.0));
  return static_cast<std::uint32_t>(std::ceil(estimate));
}

cost_range estimate_cost(const model_spec& m, token_estimate tokens) noexcept {
  auto usd = static_cast<double>(tokens.input) * m.cost_per_1k_input / 1000.0
             + static_cast<double>(tokens.output) * m.cost_per_1k_output
                 / 1000.0;
  return {usd_to_nanos_ceil(usd * (1.0 - cost_band)), usd_to_nanos_ceil(usd),
          usd_to_nanos_ceil(usd * (1.0 + cost_band))};
}

std::uint32_t max_tokens_within(const model_spec& m,
                                std::uint32_t input_tokens, usd_nanos reserved,
                                std::uint32_t cap) noexcept {
  if (m.cost_per_1k_output <= 0.0)
    return cap;
  auto input_usd = static_cast<double>(input_tokens) * m.cost_per_1k_input
                   / 1000.0;
  auto left = nanos_to_usd(reserved) - input_usd;
  if (left <= 0.0)
    return 1;
  auto tokens = std::floor(left * 1000.0 / m.cost_per_1k_output);
  return static_cast<std::uint32_t>(
    std::clamp(tokens, 1.0, static_cast<double>(cap)));
}

double estimate_latency_s(const model_spec& m,
                          std::uint32_t output_tokens) noexcept {
  auto streaming = m.tokens_per_second > 0.0
                     ? static_cast<double>(output_tokens) / m.tokens_per_second
                     : 0.0;
  return m.p50_latency_ms / 1000.0 + streaming;
}

} // namespace switchyard::engine
