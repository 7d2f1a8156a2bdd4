// `switchyard serve` and `switchyard sim-upstream` raise their open-file
// soft limit to the hard limit at start, and log it once.
#include "child_process.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <sys/resource.h>

using namespace switchyard::testing;

namespace {

/// Lowers this process's soft limit for the life of the guard, so that the
/// processes it spawns start low whatever the machine's default.
struct lowered_soft_limit {
  rlimit saved{};
  rlim_t soft = 0;

  explicit lowered_soft_limit(rlim_t wanted) {
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    soft = std::min(wanted, saved.rlim_max);
    rlimit low = saved;
    low.rlim_cur = soft;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
  }

  ~lowered_soft_limit() {
    setrlimit(RLIMIT_NOFILE, &saved);
  }
};

/// The "Max open files" soft and hard limits of a running process.
std::pair<std::string, std::string> open_files_of(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/limits"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields{line.substr(14)};
      std::string soft;
      std::string hard;
      fields >> soft >> hard;
      return {soft, hard};
    }
  FAIL("no open-file limit in /proc/" << pid << "/limits");
  return {};
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1))
    ++n;
  return n;
}

void check_raises(const std::vector<std::string>& args) {
  lowered_soft_limit low{256};
  rlimit hard{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &hard) == 0);
  if (hard.rlim_max <= low.soft) {
    WARN("the hard limit is " << hard.rlim_max << ": nothing to raise");
    return;
  }
  auto max_text = hard.rlim_max == RLIM_INFINITY
                    ? std::string{"unlimited"}
                    : std::to_string(hard.rlim_max);
  child_process p{args};
  auto line = p.read_line(std::chrono::seconds{20});
  REQUIRE(line);
  REQUIRE(line->rfind("listening on ", 0) == 0);
  auto [soft, max] = open_files_of(p.pid());
  CHECK(soft == max);
  CHECK(soft == max_text);
  REQUIRE(p.stop() == 0);
  INFO(p.err());
  CHECK(count(p.err(), "open files: 256 -> " + max_text) == 1);
}

} // namespace

TEST_CASE("sim-upstream raises its open-file soft limit to the hard limit",
          "[integration][limits]") {
  check_raises({SWITCHYARD_BINARY, "sim-upstream", "--listen", "127.0.0.1:0",
                "--zero-delay"});
}

TEST_CASE("serve raises its open-file soft limit to the hard limit",
          "[integration][limits]") {
  check_raises({SWITCHYARD_BINARY, "serve", "--listen", "127.0.0.1:0",
                "--no-auth", "--no-health-checks"});
}
