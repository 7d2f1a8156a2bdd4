#pragma once

#include "switchyard/engine/availability.hpp"
#include "switchyard/engine/clock.hpp"
#include "switchyard/engine/registry.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::engine {

/// How often and how patiently a provider is probed (its models endpoint,
/// with its key; no tokens spent).
struct probe_policy {
  bool enabled = true;
  std::chrono::milliseconds interval{30'000};
  std::chrono::milliseconds timeout{2'000};
  /// After failures the wait doubles from `interval`, up to this.
  std::chrono::milliseconds max_backoff{300'000};
  /// +/- this share of the wait, so that nodes and providers do not probe
  /// in lockstep.
  double jitter = 0.2;
};

/// What a probe found.
struct probe_result {
  bool reached = false;
  /// The HTTP status when one arrived.
  int http_status = 0;
  /// The names the server serves (its model listing); for local servers
  /// this decides which registry models are routable.
  std::vector<std::string> served;
};

/// Which providers and models can answer now, from their configuration
/// (keys, URLs) and their probes. Pure: the health actor feeds it what
/// happened and `now`, and pushes `providers()` / `models()` to the scorer
/// whenever a call returns true.
class availability_tracker {
public:
  explicit availability_tracker(const registry& reg);

  /// A provider whose configuration can never work (key variable unset,
  /// URL or TLS material unusable): it is never probed nor routed to.
  void set_configured(std::size_t provider, unavailability why);

  /// A provider that is not probed (health checks off for it): a local
  /// server is then taken at its word and its registry models count as
  /// served. Its configuration still counts.
  void assume_available(std::size_t provider);

  /// The outcome of a probe of `provider`. Returns whether what routing
  /// reads changed.
  bool on_probe(std::size_t provider, const probe_result& r);

  /// Whether `provider` is probed at all (configured usable, policy on).
  [[nodiscard]] bool probed(std::size_t provider,
                            const probe_policy& policy) const noexcept;

  /// When to probe `provider` after a probe at `now`: the interval after a
  /// success, a doubling backoff after failures; `unit_random` in [0, 1)
  /// places the jitter.
  [[nodiscard]] time_point next_probe(std::size_t provider,
                                      const probe_policy& policy,
                                      time_point now,
                                      double unit_random) const noexcept;

  /// Per provider and per model: an unavailability code, 0 = available.
  [[nodiscard]] const std::vector<std::uint8_t>& providers() const noexcept {
    return provider_codes_;
  }
  [[nodiscard]] const std::vector<std::uint8_t>& models() const noexcept {
    return model_codes_;
  }

  [[nodiscard]] unavailability provider(std::size_t p) const noexcept {
    return static_cast<unavailability>(provider_codes_[p]);
  }
  [[nodiscard]] unavailability model(std::size_t m) const noexcept {
    return static_cast<unavailability>(model_codes_[m]);
  }

  /// Consecutive failed probes of `provider`.
  [[nodiscard]] std::uint32_t failures(std::size_t p) const noexcept {
    return failures_[p];
  }

  /// What the newest successful probe of `provider` listed.
  [[nodiscard]] const std::vector<std::string>&
  served(std::size_t p) const noexcept {
    return served_[p];
  }

  /// Whether a local server's listing names `upstream`: exactly, or with
  /// Ollama's implied `:latest` tag on either side.
  [[nodiscard]] static bool serves(const std::vector<std::string>& listing,
                                   std::string_view upstream) noexcept;

private:
  /// Recomputes the model codes of `provider`; returns whether any changed.
  bool refresh_models(std::size_t provider);

  struct model_ref {
    std::size_t provider;
    std::string upstream;
  };

  std::vector<bool> local_;
  std::vector<bool> configured_bad_;
  std::vector<std::uint32_t> failures_;
  std::vector<std::vector<std::string>> served_;
  std::vector<model_ref> models_;
  std::vector<std::uint8_t> provider_codes_;
  std::vector<std::uint8_t> model_codes_;
};

} // namespace switchyard::engine
