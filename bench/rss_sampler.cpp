#include "rss_sampler.hpp"

#include <algorithm>

namespace switchyard::bench {

void finish_memory(process_memory& m, const child_process* proc) {
  if (proc == nullptr)
    return;
  m.after = proc->rss_bytes();
  for (const auto& s : m.samples)
    m.peak = std::max(m.peak, s.rss);
  // Growth: the last quarter of the samples against the second (the first
  // holds the allocator's warm-up).
  auto n = m.samples.size();
  if (n >= 8) {
    auto mean = [&](std::size_t from, std::size_t to) {
      double sum = 0;
      for (auto i = from; i < to; ++i)
        sum += static_cast<double>(m.samples[i].rss);
      return sum / static_cast<double>(to - from);
    };
    m.growth = static_cast<std::int64_t>(mean(3 * n / 4, n)
                                         - mean(n / 4, n / 2));
  }
}

rss_sampler::rss_sampler(const child_process* proc, double interval_s,
                         std::vector<memory_sample>& out)
    : proc_(proc), out_(out), start_(clock_type::now()) {
  if (proc_ == nullptr)
    return;
  thread_ = std::thread{[this, interval_s] {
    std::unique_lock guard{mutex_};
    auto period = std::chrono::duration<double>(std::max(0.05, interval_s));
    auto next = clock_type::now();
    while (!stop_) {
      out_.push_back(
        {std::chrono::duration<double>(clock_type::now() - start_).count(),
         proc_->rss_bytes()});
      next += std::chrono::duration_cast<clock_type::duration>(period);
      cv_.wait_until(guard, next, [this] { return stop_; });
    }
  }};
}

rss_sampler::~rss_sampler() {
  {
    std::lock_guard guard{mutex_};
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

} // namespace switchyard::bench
