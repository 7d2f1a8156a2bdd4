#pragma once

#include "switchyard/config/config_error.hpp"
#include "switchyard/config/env_lookup.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::sim {

/// A delay drawn from a lognormal distribution fixed by its median and 99th
/// percentile, in milliseconds. p50 == p99 is a constant; 0 is none.
struct delay_spec {
  double p50_ms = 0.0;
  double p99_ms = 0.0;

  [[nodiscard]] friend bool operator==(const delay_spec&, const delay_spec&)
    = default;
};

/// The faults the simulator injects, in the order they are drawn.
enum class fault : std::uint8_t {
  none,
  http_500,  ///< 500 with the format's error body
  http_503,  ///< 503 with Retry-After
  http_429,  ///< 429 with Retry-After
  hang,      ///< never answers; the connection is dropped after `hang_ms`
  reset,     ///< TCP reset instead of a response
  truncate,  ///< half of the response, then a TCP reset
  malformed, ///< a 200 whose body (or one stream event) is not valid JSON
};

inline constexpr std::size_t fault_count = 8;

inline constexpr std::array<std::string_view, fault_count> fault_names{
  "none", "http_500", "http_503", "http_429",
  "hang", "reset",    "truncate", "malformed"};

[[nodiscard]] constexpr std::string_view to_string(fault f) noexcept {
  return fault_names[static_cast<std::size_t>(f)];
}

/// How one model behaves.
struct model_profile {
  /// Before any response byte, whatever the outcome (network and queue).
  delay_spec latency;
  /// Then, for an answer, until the first token.
  delay_spec ttft;
  /// Generation speed once the first token is out; 0 is instant.
  double tokens_per_second = 0.0;
  /// Answer length, uniform in [min, max], capped by the request's limit.
  std::uint32_t output_tokens_min = 16;
  std::uint32_t output_tokens_max = 64;
  /// Probability of each fault per request, indexed by `fault` (the entry
  /// for `none` is unused). Their sum is at most 1.
  std::array<double, fault_count> fault_rates{};
  /// Sent with 429 and 503.
  std::uint32_t retry_after_s = 1;
  /// Probability that an answer to a request offering tools, whose
  /// tool_choice does not force a call and whose last turn is not a tool
  /// result, calls one. A forced choice always calls one. 0 when unset:
  /// a hand-written config calls tools only when told to.
  double tool_call_rate = 0.0;
  /// Whether the model listings (`/v1/models`, `/v1beta/models`,
  /// `/api/tags`) name it at start, and so whether it answers chat: an
  /// unlisted model gets the 404 a local server gives for a model it does
  /// not have, until `POST /sim/models` lists it.
  bool listed = true;
};

struct sim_config {
  /// Seeds every request's draws (see `plan_request`); --seed overrides.
  std::uint64_t seed = 1;
  /// Multiplies every delay: 1 is real time, 0.1 ten times faster, 0 none.
  double time_scale = 1.0;
  /// How long a hung request holds its connection before it is dropped.
  std::uint32_t hang_ms = 30'000;
  /// By upstream model name (what requests carry in `model` or, for
  /// Gemini, in the path).
  std::map<std::string, model_profile, std::less<>> models;
  /// The `defaults` section: what a model added at run time
  /// (`POST /sim/models`) that `models` does not define behaves like.
  model_profile defaults;

  /// No delays and no faults: for benchmarks.
  void zero_delay();
};

struct sim_config_result {
  std::optional<sim_config> config;
  std::vector<config::config_error> errors;
};

/// Parses a sim-upstream YAML document (see `config/sim-upstream.yaml`).
/// Every error names file:line; all are collected. Never throws.
[[nodiscard]] sim_config_result parse_sim_config(std::string_view yaml,
                                                 std::string_view file_name,
                                                 const config::env_lookup& env);

/// Reads and parses `path`.
[[nodiscard]] sim_config_result load_sim_config(const std::string& path,
                                                const config::env_lookup& env);

/// The built-in `config/sim-upstream.yaml`.
[[nodiscard]] std::string_view default_sim_config_yaml() noexcept;

inline constexpr std::string_view default_sim_config_name
  = "<built-in sim-upstream.yaml>";

} // namespace switchyard::sim
