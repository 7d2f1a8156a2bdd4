#include "switchyard/clock/system_time.hpp"

#include <chrono>

namespace switchyard {

namespace {

class system_time_source final : public engine::time_source {
public:
  std::int64_t wall_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
      .count();
  }

  engine::time_point monotonic() const override {
    return std::chrono::steady_clock::now();
  }
};

} // namespace

std::shared_ptr<const engine::time_source> system_time() {
  static const auto instance = std::make_shared<const system_time_source>();
  return instance;
}

std::shared_ptr<const engine::time_source>
time_or_system(std::shared_ptr<const engine::time_source> t) {
  return t ? std::move(t) : system_time();
}

} // namespace switchyard
