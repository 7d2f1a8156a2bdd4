#pragma once

#include "child_process.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace switchyard::bench {

struct memory_sample {
  double seconds = 0;
  std::uint64_t rss = 0;
};

/// One process's memory: before any load, the peak under load, after it,
/// and the samples between.
struct process_memory {
  std::uint64_t idle = 0;
  std::uint64_t peak = 0;
  std::uint64_t after = 0;
  /// Mean RSS of the last quarter of the samples minus the second quarter
  /// (after warm-up): growth over the run.
  std::int64_t growth = 0;
  std::vector<memory_sample> samples;
};

/// Bytes in MiB, as reports show memory.
[[nodiscard]] inline double mb(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

/// After the load: `proc`'s RSS now, its peak and its growth over the
/// samples in `m`. Nothing for a null `proc` (not a process we started).
void finish_memory(process_memory& m, const child_process* proc);

/// Samples a process's RSS on its own thread, from construction until
/// destruction (a null process: nothing).
class rss_sampler {
 public:
  rss_sampler(const child_process* proc, double interval_s,
              std::vector<memory_sample>& out);
  ~rss_sampler();
  rss_sampler(const rss_sampler&) = delete;
  rss_sampler& operator=(const rss_sampler&) = delete;

 private:
  using clock_type = std::chrono::steady_clock;

  const child_process* proc_;
  std::vector<memory_sample>& out_;
  clock_type::time_point start_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

} // namespace switchyard::bench
