// Acknowledged feedback survives SIGKILL: a child process writes feedback
// through a runtime and prints each id once it is acknowledged; the test
// kills it at a random point, reopens the store and finds every one.
#include "temp_dir.hpp"

#include "switchyard/storage/store.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace switchyard;

namespace {

/// The writer, its stdout on a pipe.
struct writer_process {
  pid_t pid = -1;
  int out = -1;
  std::string pending;

  explicit writer_process(const std::string& dir) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execl(SWITCHYARD_FEEDBACK_WRITER, SWITCHYARD_FEEDBACK_WRITER,
              dir.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    out = fds[0];
  }

  ~writer_process() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (out >= 0)
      ::close(out);
  }

  /// The next line, or none at EOF or after `deadline` without one.
  std::optional<std::string> line(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      if (auto nl = pending.find('\n'); nl != std::string::npos) {
        auto l = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        return l;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
      if (left <= 0)
        return std::nullopt;
      pollfd p{out, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0)
        continue;
      char buf[4096];
      auto n = ::read(out, buf, sizeof(buf));
      if (n <= 0)
        return std::nullopt; // EOF: the writer is gone
      pending.append(buf, static_cast<std::size_t>(n));
    }
  }

  /// Kills the writer and reaps it.
  void kill() {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status));
    pid = -1;
  }
};

} // namespace

TEST_CASE("acknowledged feedback survives SIGKILL, every time",
          "[storage][durability]") {
  test::temp_dir dir;
  std::mt19937_64 rng{std::random_device{}()};
  constexpr int runs = 20;
  std::size_t acknowledged_total = 0;
  for (int run = 0; run < runs; ++run) {
    // Each run continues on the store the previous kill left behind.
    std::vector<std::uint64_t> acknowledged;
    {
      writer_process w{dir.path()};
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
      auto ready = w.line(deadline);
      REQUIRE(ready == std::string{"ready"});
      // Kill after a random number of acknowledgements: the writer is then
      // somewhere inside its next write.
      auto kill_after = std::uniform_int_distribution<int>{1, 40}(rng);
      while (static_cast<int>(acknowledged.size()) < kill_after) {
        auto l = w.line(deadline);
        REQUIRE(l);
        acknowledged.push_back(std::stoull(*l));
      }
      w.kill();
      // Lines already in the pipe were acknowledged before the kill.
      while (auto l = w.line(std::chrono::steady_clock::now()
                             + std::chrono::seconds{5}))
        if (!l->empty())
          acknowledged.push_back(std::stoull(*l));
    }
    storage::store_options o;
    o.path = dir.path();
    auto db = storage::store::open(o);
    REQUIRE(db);
    for (auto id : acknowledged) {
      auto fb = (*db)->feedback_for(id);
      REQUIRE(fb);
      INFO("run " << run << ", decision " << id);
      CHECK(fb->size() == 1);
    }
    acknowledged_total += acknowledged.size();
  }
  CHECK(acknowledged_total >= static_cast<std::size_t>(runs));
}
