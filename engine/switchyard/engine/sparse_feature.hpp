#pragma once

#include <cstdint>

namespace switchyard::engine {

/// One hashed feature of a prompt and its value (success_predictor).
struct sparse_feature {
  std::uint32_t index = 0;
  float value = 0.0f;

  friend bool operator==(const sparse_feature&,
                         const sparse_feature&) noexcept = default;
};

} // namespace switchyard::engine
