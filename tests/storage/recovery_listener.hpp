#pragma once

#include <rocksdb/listener.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace switchyard::test {

/// Counts RocksDB's background error recoveries as they end, so that a test
/// waits for that event instead of polling on a timer.
class recovery_listener : public rocksdb::EventListener {
public:
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo&) override {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      ++ended_;
    }
    cv_.notify_all();
  }

  /// Recoveries that have ended so far.
  [[nodiscard]] std::uint64_t ended() {
    std::lock_guard<std::mutex> guard{mtx_};
    return ended_;
  }

  /// Waits until more than `seen` recoveries have ended, or `deadline`;
  /// true when one did.
  bool wait_past(std::uint64_t seen,
                 std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock{mtx_};
    return cv_.wait_until(lock, deadline, [&] { return ended_ > seen; });
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::uint64_t ended_ = 0;
};

} // namespace switchyard::test
