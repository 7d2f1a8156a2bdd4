#pragma once

// Runs a program with its stdout and stderr on pipes, and reads them with
// deadlines (poll), never sleeping.

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace switchyard::testing {

class child_process {
 public:
  explicit child_process(const std::vector<std::string>& args) {
    int out[2];
    int err[2];
    REQUIRE(pipe(out) == 0);
    REQUIRE(pipe(err) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    std::vector<char*> argv;
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    auto rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(),
                          environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
    REQUIRE(rc == 0);
  }

  ~child_process() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    close(out_);
    close(err_);
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  [[nodiscard]] pid_t pid() const noexcept {
    return pid_;
  }

  /// The next line of stdout, or nullopt at the deadline or end of output.
  std::optional<std::string>
  read_line(std::chrono::milliseconds limit = std::chrono::seconds{10}) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (auto nl = out_buffer_.find('\n'); nl != std::string::npos) {
        auto line = out_buffer_.substr(0, nl);
        out_buffer_.erase(0, nl + 1);
        return line;
      }
      if (!read_some(out_, out_buffer_, deadline))
        return std::nullopt;
    }
  }

  /// Sends `sig`, reads stderr to its end and reaps the process; returns
  /// its exit code (-1 when killed by a signal or past the deadline).
  int stop(int sig = SIGTERM,
           std::chrono::milliseconds limit = std::chrono::seconds{10}) {
    kill(pid_, sig);
    return wait_exit(limit);
  }

  /// Reads stderr to its end (the process exited) and reaps the process.
  int wait_exit(std::chrono::milliseconds limit = std::chrono::seconds{10}) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (read_some(err_, err_buffer_, deadline)) {
    }
    while (read_some(out_, out_buffer_, deadline)) {
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return -1;
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  const std::string& err() const noexcept {
    return err_buffer_;
  }

  const std::string& out() const noexcept {
    return out_buffer_;
  }

 private:
  /// Appends what `fd` has; false at end of file or at the deadline.
  static bool read_some(int fd, std::string& into,
                        std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return false;
    char buf[4096];
    auto n = read(fd, buf, sizeof(buf));
    if (n <= 0)
      return false;
    into.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  bool exited_ = false;
  std::string out_buffer_;
  std::string err_buffer_;
};

} // namespace switchyard::testing
