#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace switchyard::http {
class http_server;
} // namespace switchyard::http

namespace switchyard::bench {

/// The collector the traced gateway of `bench gateway --compare-tracing`
/// exports to: an OTLP/HTTP endpoint on 127.0.0.1 (a free port) that
/// accepts every export at once and counts what came, so that tracing costs
/// the gateway what it costs against a healthy collector, and the run shows
/// the spans arrived. Its own CPU is the bench process's, not the gateway's.
class otlp_collector {
 public:
  /// Null with `why` when it cannot bind.
  [[nodiscard]] static std::unique_ptr<otlp_collector> start(std::string& why);

  ~otlp_collector();

  /// `http://127.0.0.1:PORT/v1/traces`.
  [[nodiscard]] std::string endpoint() const;

  /// Export requests received.
  [[nodiscard]] std::uint64_t requests() const noexcept {
    return requests_.load(std::memory_order_relaxed);
  }

  /// Spans in them (their `"spanId"` keys).
  [[nodiscard]] std::uint64_t spans() const noexcept {
    return spans_.load(std::memory_order_relaxed);
  }

 private:
  otlp_collector() = default;

  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> spans_{0};
  std::unique_ptr<http::http_server> server_;
};

} // namespace switchyard::bench
