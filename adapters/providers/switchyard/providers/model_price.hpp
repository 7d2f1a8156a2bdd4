#pragma once

#include "switchyard/engine/money.hpp"
#include "switchyard/engine/registry.hpp"

#include <cmath>
#include <cstdint>

namespace switchyard::providers {

/// A model's list price per token, in billionths of a USD.
struct model_price {
  double input_nanos_per_token = 0.0;
  double output_nanos_per_token = 0.0;

  /// From the registry's USD per 1,000 tokens.
  [[nodiscard]] static model_price of(const engine::model_spec& m) noexcept {
    // USD per 1k tokens * 1e9 nanos per USD / 1e3 tokens = * 1e6.
    return {m.cost_per_1k_input * 1e6, m.cost_per_1k_output * 1e6};
  }

  /// What a call with this usage cost, rounded to the nearest nano-USD.
  [[nodiscard]] engine::usd_nanos
  cost(std::uint32_t input_tokens, std::uint32_t output_tokens) const noexcept {
    return static_cast<engine::usd_nanos>(
      std::llround(input_tokens * input_nanos_per_token
                   + output_tokens * output_nanos_per_token));
  }
};

} // namespace switchyard::providers
