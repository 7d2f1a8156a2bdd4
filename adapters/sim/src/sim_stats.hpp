#pragma once

#include "sim_request.hpp"
#include "switchyard/sim/sim_config.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::sim::detail {

/// Images received, as counters any I/O thread may bump.
struct image_counters {
  std::atomic<std::uint64_t> inline_images{0};
  std::atomic<std::uint64_t> inline_bytes{0};
  std::atomic<std::uint64_t> url_images{0};

  void add(const image_tally& t) noexcept {
    inline_images += t.inline_images;
    inline_bytes += t.inline_bytes;
    url_images += t.url_images;
  }
};

/// Counters of one model.
struct model_counters {
  /// Numbers requests for `plan_request`.
  std::atomic<std::uint64_t> next{0};
  std::array<std::atomic<std::uint64_t>, fault_count> outcomes{};
  image_counters images;
  /// Answers that called a tool, and that were JSON for a schema.
  std::atomic<std::uint64_t> tool_calls{0};
  std::atomic<std::uint64_t> json_answers{0};
  /// Tool results received, and requests refused for one.
  std::atomic<std::uint64_t> tool_results{0};
  std::atomic<std::uint64_t> refused_tool_results{0};
};

class model_catalog;

/// What `GET /sim/stats` reports beside the per-model counters (which live
/// with the models, in `model_catalog`).
struct sim_stats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> unknown_model{0};
  /// Chat requests for a model the simulator has but does not list.
  std::atomic<std::uint64_t> unlisted_model{0};
  /// Model listings served (GET .../models, /api/tags).
  std::atomic<std::uint64_t> listings{0};
  std::atomic<std::uint64_t> bad_request{0};
  std::atomic<std::uint64_t> not_found{0};
  /// Chat requests whose client closed the connection before the answer
  /// (or the stream) had ended.
  std::atomic<std::uint64_t> abandoned{0};
  std::array<std::atomic<std::uint64_t>, 5> format_requests{};
  std::array<image_counters, 5> format_images{};

  /// The JSON: totals, per format (requests and images), faults, the
  /// listed models, and per model that has seen a request.
  [[nodiscard]] std::string to_json(std::uint64_t seed,
                                    const model_catalog& models) const;
};

} // namespace switchyard::sim::detail
