#include "switchyard/gateway/log_sink.hpp"

#include <cerrno>
#include <unistd.h>

namespace switchyard::gateway {

log_sink::log_sink(int fd, std::chrono::milliseconds period)
    : fd_(fd), period_(period), thread_([this] { run(); }) {}

log_sink::~log_sink() {
  {
    std::lock_guard guard{mutex_};
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void log_sink::write(std::string_view line) {
  bool wake = false;
  {
    std::lock_guard guard{mutex_};
    pending_.append(line);
    pending_.push_back('\n');
    ++queued_;
    wake = pending_.size() >= soon_bytes;
  }
  if (wake)
    wake_.notify_one();
}

void log_sink::flush() {
  std::unique_lock guard{mutex_};
  auto target = queued_;
  flush_requested_ = true;
  wake_.notify_one();
  flushed_.wait(guard, [&] { return written_ >= target || stop_; });
}

void log_sink::run() {
  std::unique_lock guard{mutex_};
  for (;;) {
    wake_.wait_for(guard, period_, [this] {
      return stop_ || flush_requested_ || pending_.size() >= soon_bytes;
    });
    flush_requested_ = false;
    // Swap buffers: writers keep appending while this one goes out.
    batch_.swap(pending_);
    auto upto = queued_;
    bool last = stop_;
    guard.unlock();
    write_out(batch_);
    batch_.clear();
    guard.lock();
    written_ = upto;
    flushed_.notify_all();
    if (last && pending_.empty())
      return;
  }
}

void log_sink::write_out(std::string& batch) {
  std::size_t done = 0;
  while (done < batch.size()) {
    auto n = ::write(fd_, batch.data() + done, batch.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return; // stderr gone: the lines are lost, the requests are not
    done += static_cast<std::size_t>(n);
  }
}

} // namespace switchyard::gateway
