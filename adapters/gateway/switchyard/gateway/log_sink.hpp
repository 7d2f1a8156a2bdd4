#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace switchyard::gateway {

/// JSON-lines logs off the request path: `write` appends a line to a buffer
/// under a short lock; a thread of its own writes the buffer to a file
/// descriptor (stderr) in one write(2) every `period`, or sooner once it
/// holds 64 KiB. Whole lines only, so lines from different threads never
/// interleave. Flushes what is left when destroyed.
class log_sink {
 public:
  explicit log_sink(int fd = 2,
                    std::chrono::milliseconds period = std::chrono::milliseconds{20});
  ~log_sink();

  log_sink(const log_sink&) = delete;
  log_sink& operator=(const log_sink&) = delete;

  /// Queues `line` and a newline. Thread-safe; never blocks on I/O.
  void write(std::string_view line);

  /// Writes out everything queued so far before returning.
  void flush();

 private:
  static constexpr std::size_t soon_bytes = 64u << 10;

  void run();
  void write_out(std::string& batch);

  int fd_;
  std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  std::string pending_;
  std::string batch_;
  std::uint64_t queued_ = 0;
  std::uint64_t written_ = 0;
  bool flush_requested_ = false;
  bool stop_ = false;
  std::thread thread_;
};

} // namespace switchyard::gateway
