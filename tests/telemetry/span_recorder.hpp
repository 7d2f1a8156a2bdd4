#pragma once

// An in-memory span sink and a tracer over it on manual time: spans as the
// exporter would get them, without a network.

#include "switchyard/clock/manual_time.hpp"
#include "switchyard/telemetry/tracer.hpp"

#include <memory>
#include <mutex>
#include <vector>

namespace switchyard::testing {

class span_recorder final : public telemetry::span_sink {
public:
  void record(telemetry::span s) override {
    std::lock_guard guard{mutex_};
    spans_.push_back(std::move(s));
  }

  [[nodiscard]] std::vector<telemetry::span> spans() const {
    std::lock_guard guard{mutex_};
    return spans_;
  }

private:
  mutable std::mutex mutex_;
  std::vector<telemetry::span> spans_;
};

/// A tracer recording into `recorder`, on `time` (wall clock 1,000 s).
struct recorded_tracing {
  std::shared_ptr<span_recorder> recorder = std::make_shared<span_recorder>();
  std::shared_ptr<manual_time> time = std::make_shared<manual_time>(1'000'000);
  std::shared_ptr<const telemetry::tracer> tracer;

  explicit recorded_tracing(telemetry::tracer_options opts = {})
    : tracer(std::make_shared<const telemetry::tracer>(opts, recorder, time)) {
  }
};

} // namespace switchyard::testing
