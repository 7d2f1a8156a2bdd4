#pragma once

#include "switchyard/sim/sim_config.hpp"

#include <chrono>
#include <cstdint>
#include <string_view>

namespace switchyard::sim {

/// What the simulator does with one request, drawn before it answers.
struct request_plan {
  sim::fault fault = fault::none;
  /// Before the first response byte (scaled).
  std::chrono::microseconds latency{0};
  /// Then until the first token (scaled); answers only.
  std::chrono::microseconds ttft{0};
  /// Between tokens (scaled); zero sends the answer in one go.
  std::chrono::microseconds per_token{0};
  std::uint32_t output_tokens = 0;
  /// The request's limit cut the answer short ("length").
  bool hit_limit = false;
  /// Seeds the generated words, tool-call ids and arguments.
  std::uint64_t text_seed = 0;
  /// Drawn against `tool_call_rate`: whether the answer calls a tool when
  /// the request offers tools without forcing a choice.
  bool calls_tool = false;
};

/// 64-bit FNV-1a, to mix model names into seeds.
[[nodiscard]] std::uint64_t hash_name(std::string_view name) noexcept;

/// SplitMix64 (Steele, Lea, Flood 2014): a small, well-mixed generator.
class split_mix {
 public:
  explicit split_mix(std::uint64_t seed) noexcept : state_(seed) {}

  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  /// Uniform in [0, 1).
  double uniform() noexcept {
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
  }

 private:
  std::uint64_t state_;
};

/// Decides the `n`th request (0-based) to `model`: a pure function of the
/// seed, the model, `n` and the request's token limit, so that outcomes do
/// not depend on thread timing or on other models' traffic.
[[nodiscard]] request_plan plan_request(const model_profile& profile,
                                        double time_scale, std::uint64_t seed,
                                        std::string_view model, std::uint64_t n,
                                        std::uint32_t max_tokens) noexcept;

/// A draw from `d` (scaled) given a standard normal `z`.
[[nodiscard]] std::chrono::microseconds
sample_delay(const delay_spec& d, double z, double time_scale) noexcept;

} // namespace switchyard::sim
