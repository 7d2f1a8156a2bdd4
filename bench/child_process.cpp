#include "child_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace switchyard::bench {

std::unique_ptr<child_process>
child_process::start(const std::vector<std::string>& args,
                     const std::vector<std::pair<std::string, std::string>>& env,
                     const std::string& stderr_path, std::string& why) {
  if (args.empty()) {
    why = "no program to start";
    return nullptr;
  }
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    why = std::string{"pipe: "} + std::strerror(errno);
    return nullptr;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2,
                                   stderr_path.empty() ? "/dev/null"
                                                       : stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // Our environment, with `env` replacing or adding variables.
  std::vector<std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string v{*e};
    auto name = v.substr(0, v.find('='));
    bool replaced = false;
    for (const auto& [k, val] : env)
      replaced = replaced || k == name;
    if (!replaced)
      vars.push_back(std::move(v));
  }
  for (const auto& [k, val] : env)
    vars.push_back(k + "=" + val);
  std::vector<char*> envp;
  for (auto& v : vars)
    envp.push_back(v.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  auto rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(),
                        envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    why = "cannot start " + args[0] + ": " + std::strerror(rc);
    return nullptr;
  }
  return std::unique_ptr<child_process>{new child_process{pid, out[0]}};
}

child_process::~child_process() {
  stop(std::chrono::seconds{10});
  close(out_);
}

std::optional<std::string>
child_process::read_line(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      auto line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now())
                  .count();
    if (left <= 0)
      return std::nullopt;
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0)
      return std::nullopt;
    char buf[4096];
    auto n = read(out_, buf, sizeof(buf));
    if (n <= 0)
      return std::nullopt;
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

std::uint16_t child_process::wait_for_port(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = read_line(std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now()));
    if (!line)
      return 0;
    if (line->rfind("listening on ", 0) == 0)
      return static_cast<std::uint16_t>(
        std::atoi(line->substr(line->rfind(':') + 1).c_str()));
  }
  return 0;
}

std::uint64_t child_process::rss_bytes() const {
  std::ifstream in{"/proc/" + std::to_string(pid_) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  return 0;
}

double child_process::cpu_seconds() const {
  std::ifstream in{"/proc/" + std::to_string(pid_) + "/stat"};
  std::string text;
  std::getline(in, text);
  // Fields after the command name (which may hold spaces, in parentheses):
  // utime and stime are the 14th and 15th of the line.
  auto close_paren = text.rfind(')');
  if (close_paren == std::string::npos)
    return 0;
  std::istringstream rest{text.substr(close_paren + 2)};
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14)
      utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15)
      stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime)
         / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds limit) {
  if (reaped_)
    return status_;
  auto deadline = std::chrono::steady_clock::now() + limit;
  // No sleeping on a fixed period: poll the pipe (the child's stdout closes
  // when it exits) with the remaining time, at most 20 ms at once.
  for (;;) {
    if (waitpid(pid_, &status_, WNOHANG) == pid_) {
      reaped_ = true;
      return status_;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now())
                  .count();
    if (left <= 0)
      return std::nullopt;
    auto wait_ms = static_cast<int>(std::min<long long>(left, 20));
    if (out_eof_) {
      // Its stdout is closed and it has not exited yet: nothing to poll
      // but time, in short steps.
      poll(nullptr, 0, std::min(wait_ms, 2));
      continue;
    }
    pollfd p{out_, POLLIN, 0};
    poll(&p, 1, wait_ms);
    char buf[4096];
    if ((p.revents & (POLLIN | POLLHUP)) != 0)
      out_eof_ = read(out_, buf, sizeof(buf)) <= 0;
  }
}

bool child_process::running() {
  return !wait_exit(std::chrono::milliseconds{0}).has_value();
}

int child_process::stop(std::chrono::milliseconds limit) {
  if (reaped_)
    return status_;
  kill(pid_, SIGTERM);
  if (auto status = wait_exit(limit))
    return *status;
  kill(pid_, SIGKILL);
  waitpid(pid_, &status_, 0);
  reaped_ = true;
  return status_;
}

} // namespace switchyard::bench
