// `switchyard bench gateway` against its own real sim-upstream and gateway
// processes, briefly and at a low rate: checks the report, not speed.
#include "../integration/child_process.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

using switchyard::testing::child_process;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void check_ordered(simdjson::dom::element lat) {
  double p50 = lat["p50"], p90 = lat["p90"], p99 = lat["p99"],
         p999 = lat["p99_9"], max = lat["max"];
  CHECK(p50 > 0);
  CHECK(p50 <= p90);
  CHECK(p90 <= p99);
  CHECK(p99 <= p999);
  CHECK(p999 <= max);
}

} // namespace

TEST_CASE("bench gateway --compare reports both targets, consistently",
          "[bench][gateway]") {
  auto dir = std::string{"/tmp/switchyard-bench-test-"} + std::to_string(getpid());
  std::string mkdir = "mkdir -p " + dir;
  REQUIRE(std::system(mkdir.c_str()) == 0);
  child_process bench{{SWITCHYARD_BINARY, "bench", "gateway", "--compare",
                       "--sweep", "100,200", "--duration", "1", "--warmup",
                       "0.3", "--connections", "4", "--json", "--csv",
                       dir + "/steps.csv", "--plot", dir + "/plot.svg",
                       "--memory-interval", "0.2"}};
  REQUIRE(bench.wait_exit(std::chrono::seconds{60}) == 0);
  INFO(bench.err());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(bench.out()).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view{doc["bench"]} == "gateway");
  CHECK(std::string_view{doc["mode"]} == "sweep");
  simdjson::dom::array steps = doc["steps"];
  REQUIRE(steps.size() >= 1);
  std::size_t rows = 0;
  for (auto step : steps) {
    simdjson::dom::array targets = step["targets"];
    REQUIRE(targets.size() >= 1);
    for (auto t : targets) {
      ++rows;
      std::uint64_t requests = t["requests"], answered = t["answered"],
                    errors = t["errors_total"];
      CHECK(requests > 0);
      // Every request due ends answered or as exactly one error.
      CHECK(requests == answered + errors);
      std::uint64_t by_class = 0;
      for (auto [name, n] : simdjson::dom::object(t["errors"]))
        by_class += std::uint64_t(n);
      CHECK(by_class == errors);
      // Zero-delay upstream at a low rate: nothing may fail.
      CHECK(errors == 0);
      CHECK(std::uint64_t(t["errors"]["closed_without_response"]) == 0);
      double achieved = t["achieved_rate"];
      double rate = step["rate"];
      CHECK(achieved > 0.5 * rate);
      CHECK(achieved < 1.5 * rate);
      check_ordered(t["latency_us"]);
      CHECK(std::uint64_t(t["latency_us"]["count"]) == answered);
    }
    if (targets.size() == 2) {
      CHECK(std::string_view{targets.at(0)["name"]} == "upstream");
      CHECK(std::string_view{targets.at(1)["name"]} == "gateway");
      double added = step["added_latency_us"]["p50"];
      double gw = targets.at(1)["latency_us"]["p50"];
      double up = targets.at(0)["latency_us"]["p50"];
      CHECK(added == Approx(gw - up));
    }
  }
  // Our own gateway's memory was sampled.
  double idle = doc["memory"]["idle_rss_mb"];
  double peak = doc["memory"]["peak_rss_mb"];
  CHECK(idle > 1);
  CHECK(peak >= idle * 0.5);
  CHECK(simdjson::dom::array(doc["memory"]["samples"]).size() >= 2);
  // CSV: a header and one row per step and target; the plot is an SVG.
  auto csv = read_file(dir + "/steps.csv");
  CHECK(csv.rfind("rate,target,", 0) == 0);
  CHECK(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n'))
        == rows + 1);
  auto svg = read_file(dir + "/plot.svg");
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  std::string rm = "rm -rf " + dir;
  CHECK(std::system(rm.c_str()) == 0);
}

TEST_CASE("bench gateway refuses bad flags with a clear message",
          "[bench][gateway]") {
  child_process bench{{SWITCHYARD_BINARY, "bench", "gateway", "--sweep",
                       "100,fast"}};
  CHECK(bench.wait_exit() == 2);
  CHECK(bench.err().find("--sweep takes positive rates") != std::string::npos);
}

TEST_CASE("bench gateway --baseline samples the baseline gateway's memory too",
          "[bench][gateway]") {
  // The same binary as its own baseline: both gateways get the schedule,
  // and each one's RSS is sampled and reported.
  child_process bench{{SWITCHYARD_BINARY, "bench", "gateway", "--rate", "100",
                       "--duration", "1", "--warmup", "0.2", "--connections",
                       "4", "--baseline", SWITCHYARD_BINARY, "--json",
                       "--memory-interval", "0.2"}};
  REQUIRE(bench.wait_exit(std::chrono::seconds{60}) == 0);
  INFO(bench.err());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(bench.out()).get(doc) == simdjson::SUCCESS);
  for (const char* key : {"memory", "baseline_memory"}) {
    INFO(key);
    double idle = doc[key]["idle_rss_mb"];
    double peak = doc[key]["peak_rss_mb"];
    CHECK(idle > 1);
    CHECK(peak >= idle * 0.5);
    CHECK(simdjson::dom::array(doc[key]["samples"]).size() >= 2);
  }
  simdjson::dom::array steps = doc["steps"];
  REQUIRE(steps.size() == 1);
  CHECK(double(steps.at(0)["baseline_rss_mb"]) > 1);
  CHECK(double(steps.at(0)["gateway_rss_mb"]) > 1);
}
