#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace switchyard::bench {

/// A process the benchmark starts (sim-upstream, the gateway): stdout on a
/// pipe for its `listening on HOST:PORT` line, stderr to a file or
/// /dev/null, extra environment variables on top of ours. Killed (SIGTERM,
/// then SIGKILL) when destroyed.
class child_process {
 public:
  /// Starts `args` (args[0] is the executable's path). Null and `why` on
  /// failure.
  static std::unique_ptr<child_process>
  start(const std::vector<std::string>& args,
        const std::vector<std::pair<std::string, std::string>>& env,
        const std::string& stderr_path, std::string& why);

  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  /// The next line of stdout, or nullopt at the deadline or its end.
  std::optional<std::string> read_line(std::chrono::milliseconds limit);

  /// Waits for `listening on HOST:PORT` and returns PORT (0 on failure).
  std::uint16_t wait_for_port(std::chrono::milliseconds limit);

  /// Resident set size from /proc/PID/status (VmRSS), bytes; 0 if gone.
  [[nodiscard]] std::uint64_t rss_bytes() const;

  /// CPU time used so far (user + system, all threads), seconds; from
  /// /proc/PID/stat.
  [[nodiscard]] double cpu_seconds() const;

  /// SIGTERM, wait up to `limit`, then SIGKILL. Returns the exit status
  /// (as waitpid reports it).
  int stop(std::chrono::milliseconds limit);

  /// Waits up to `limit` for the process to exit by itself: its exit status
  /// (as waitpid reports it), or nullopt while it still runs.
  std::optional<int> wait_exit(std::chrono::milliseconds limit);

  /// Whether it still runs (reaps it when it has exited).
  [[nodiscard]] bool running();

 private:
  child_process(pid_t pid, int out) noexcept : pid_(pid), out_(out) {}

  pid_t pid_;
  int out_;
  bool reaped_ = false;
  int status_ = 0;
  /// Its stdout reached its end (it exited, or closed it).
  bool out_eof_ = false;
  std::string buffer_;
};

} // namespace switchyard::bench
