#pragma once

#include "switchyard/engine/experiment.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/gateway/api_formats.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::gateway {

/// POST /v1/keys: what the new key may do.
struct key_request {
  std::string name = "unnamed";
  bool admin = false;
  /// The key's own budget in USD over its lifetime; none: the policy's
  /// per-key cap (if any).
  std::optional<double> budget_usd;
  /// None: no rate limit.
  std::optional<std::uint32_t> requests_per_minute;
};

/// Parses `{"name","admin","budget_usd","requests_per_minute"}` (all
/// optional); a wrong type or range is a 400 naming the field.
[[nodiscard]] std::variant<key_request, api_error>
parse_key_request(std::string_view body);

/// Parses POST /v1/experiments:
/// `{"id","task_type","arms":[{"name","model"}|"MODEL"|"router"],
///   "metric","traffic_share","min_samples_per_arm","significance","seed"}`
/// and validates it against `reg`. `default_seed` when none is given.
[[nodiscard]] std::variant<engine::experiment_spec, api_error>
parse_experiment_request(std::string_view body, const engine::registry& reg,
                         std::uint64_t default_seed);

} // namespace switchyard::gateway
