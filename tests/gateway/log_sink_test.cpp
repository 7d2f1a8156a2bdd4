// log_sink: batched JSON-lines logs, whole lines only, nothing lost.
#include "switchyard/gateway/log_sink.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using switchyard::gateway::log_sink;

TEST_CASE("lines from many threads arrive whole, each once", "[log]") {
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  // A reader drains the pipe meanwhile, so the sink never blocks on it.
  std::string got;
  std::thread reader{[&] {
    char buf[65536];
    for (;;) {
      auto n = read(fds[0], buf, sizeof(buf));
      if (n <= 0)
        return;
      got.append(buf, static_cast<std::size_t>(n));
    }
  }};
  constexpr int threads = 4;
  constexpr int lines = 5000;
  {
    log_sink sink{fds[1], std::chrono::milliseconds{5}};
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t)
      writers.emplace_back([&sink, t] {
        for (int i = 0; i < lines; ++i)
          sink.write(R"({"thread":)" + std::to_string(t) + R"(,"line":)"
                     + std::to_string(i) + "}");
      });
    for (auto& w : writers)
      w.join();
    sink.flush();
  } // the destructor flushes what is left, too
  close(fds[1]);
  reader.join();
  close(fds[0]);
  std::istringstream in{got};
  std::string line;
  std::map<int, int> next;
  int total = 0;
  while (std::getline(in, line)) {
    int t = -1;
    int i = -1;
    REQUIRE(std::sscanf(line.c_str(), R"({"thread":%d,"line":%d})", &t, &i)
            == 2);
    // In order per thread: one thread's lines are never reordered.
    CHECK(i == next[t]);
    next[t] = i + 1;
    ++total;
  }
  CHECK(total == threads * lines);
}

TEST_CASE("flush returns once every queued line is written", "[log]") {
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0);
  log_sink sink{fds[1], std::chrono::hours{1}};
  sink.write("one");
  sink.write("two");
  // With an hour between timed flushes, only flush() can have written them.
  sink.flush();
  char buf[64];
  auto n = read(fds[0], buf, sizeof(buf));
  REQUIRE(n == 8);
  CHECK(std::string(buf, 8) == "one\ntwo\n");
  close(fds[0]);
  close(fds[1]);
}
