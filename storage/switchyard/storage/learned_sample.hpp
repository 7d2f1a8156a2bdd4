#pragma once

#include "switchyard/engine/task_type.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::storage {

/// The learned state at one moment, as the dashboard charts it over time:
/// the cells with any samples. Kept in the store's meta column family in a
/// ring of slots (store::put_learned_sample), so a restarted node still has
/// its history.
struct learned_sample_record {
  std::int64_t unix_ms = 0;
  struct cell {
    /// Registry id (not an index: the registry may change between runs).
    std::string model;
    engine::task_type type = engine::task_type::general;
    double success = 0.0;
    double latency_ms = 0.0;
    double feedback_weight = 0.0;
    double samples = 0.0;
    double confidence = 0.0;
  };
  std::vector<cell> cells;
};

[[nodiscard]] std::string
encode_learned_sample(const learned_sample_record& s);
/// None for a value this build cannot read.
[[nodiscard]] std::optional<learned_sample_record>
decode_learned_sample(std::string_view value);

} // namespace switchyard::storage
