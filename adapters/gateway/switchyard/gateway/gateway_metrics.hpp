#pragma once

#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/task_messages.hpp"

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace switchyard::gateway {

/// A latency histogram with fixed bucket bounds in microseconds, in the
/// Prometheus layout (cumulative at render time).
class latency_histogram {
public:
  static constexpr std::array<double, 16> bounds_us{
    50,    100,    250,    500,     1'000,   2'500,   5'000,     10'000,
    25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000, 5'000'000,
    30'000'000};

  void observe(double us) noexcept;
  void render(std::string& out, std::string_view name,
              std::string_view labels) const;

private:
  std::array<std::atomic<std::uint64_t>, bounds_us.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

/// What the gateway counts for /metrics. Never holds a secret: labels are
/// endpoints, status codes, model and provider ids.
class gateway_metrics {
public:
  explicit gateway_metrics(const engine::registry& reg);

  void on_request(std::string_view endpoint, int status);
  /// A finished task: upstream time is the sum of its attempts; the rest of
  /// `total_us` is what the gateway (routing, queues, JSON) added.
  void on_task(const task_reply& r, double total_us);
  /// A chat request whose client disconnected before its answer was
  /// complete: the task was cancelled.
  void on_cancelled() noexcept;

  /// Prometheus text exposition format 0.0.4; `extra` is appended as is.
  [[nodiscard]] std::string render(std::string_view extra) const;

  /// Breaker states and trips per provider, spend and what is left of every
  /// budget, as Prometheus gauges.
  [[nodiscard]] static std::string
  render_breakers_and_budgets(const engine::registry& reg,
                              const std::vector<breaker_change>& breakers,
                              const ledger_summary& budgets);

private:
  const engine::registry& reg_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  struct per_model {
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
    std::uint64_t input_tokens = 0;
    std::uint64_t output_tokens = 0;
    std::int64_t cost_nanos = 0;
    std::uint64_t retries = 0;
  };
  std::vector<per_model> models_;
  std::atomic<std::uint64_t> cancelled_{0};
  std::uint64_t fallbacks_ = 0;
  std::uint64_t ensembles_ = 0;
  latency_histogram added_;
  latency_histogram upstream_;
};

} // namespace switchyard::gateway
