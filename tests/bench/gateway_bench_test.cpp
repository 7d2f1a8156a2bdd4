// `switchyard bench gateway` against its own real sim-upstream and gateway
// processes, briefly and at a low rate: checks the report, not speed.
#include "../integration/child_process.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

using switchyard::testing::child_process;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool nginx_installed() {
  return access("/usr/sbin/nginx", X_OK) == 0;
}

/// The target names of a step, in order.
std::vector<std::string> names_of(simdjson::dom::array targets) {
  std::vector<std::string> names;
  for (auto t : targets)
    names.emplace_back(std::string_view{t["name"]});
  return names;
}

simdjson::dom::element comparison(simdjson::dom::element step,
                                  std::string_view target,
                                  std::string_view reference) {
  for (auto c : simdjson::dom::array(step["comparisons"]))
    if (std::string_view{c["target"]} == target
        && std::string_view{c["reference"]} == reference)
      return c;
  FAIL("no comparison " << target << " / " << reference);
  return {};
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
  struct refused {
    std::vector<std::string> flags;
    std::string says;
  };
  for (const auto& [flags, says] : {
         refused{{"--sweep", "100,fast"}, "--sweep takes positive rates"},
         refused{{"--closed-loop", "--rate", "100"}, "for the open loop"},
         refused{{"--closed-loop", "--connections", "1,x"},
                 "--connections takes counts"},
         refused{{"--connections", "1,64"}, "--connections takes one count"},
         refused{{"--closed-loop", "--concurrent-streams", "10"},
                 "two modes"},
         refused{{"--reference", "apache"}, "--reference takes nginx"},
         refused{{"--compare-store", "--target", "http://127.0.0.1:1"},
                 "--compare-store starts two gateways"},
       }) {
    std::vector<std::string> args{SWITCHYARD_BINARY, "bench", "gateway"};
    args.insert(args.end(), flags.begin(), flags.end());
    child_process bench{args};
    auto code = bench.wait_exit();
    INFO(flags.front() << " -> " << bench.err());
    CHECK(code == 2);
    CHECK(bench.err().find(says) != std::string::npos);
  }
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

TEST_CASE("bench gateway --reference nginx says what to install when nginx "
          "is missing",
          "[bench][gateway]") {
  child_process bench{{SWITCHYARD_BINARY, "bench", "gateway", "--closed-loop",
                       "--connections", "1", "--duration", "0.2", "--warmup",
                       "0", "--reference", "nginx", "--nginx",
                       "/nonexistent/sbin/nginx"}};
  auto code = bench.wait_exit(std::chrono::seconds{60});
  INFO(bench.err());
  CHECK(code == 1);
  CHECK(bench.err().find("/nonexistent/sbin/nginx") != std::string::npos);
  CHECK(bench.err().find("apt-get install nginx") != std::string::npos);
}

TEST_CASE("bench gateway --closed-loop --compare-store --reference nginx "
          "reports every target and their ratios",
          "[bench][gateway]") {
  if (!nginx_installed()) {
    WARN("nginx is not installed (scripts/install-deps.sh installs it): the "
         "nginx reference is not exercised here");
    return;
  }
  child_process bench{{SWITCHYARD_BINARY, "bench", "gateway", "--closed-loop",
                       "--connections", "1,4", "--duration", "0.5",
                       "--warmup", "0.1", "--compare-store", "--reference",
                       "nginx", "--json", "--memory-interval", "0.2"}};
  REQUIRE(bench.wait_exit(std::chrono::seconds{120}) == 0);
  INFO(bench.err());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(bench.out()).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view{doc["mode"]} == "closed_loop");
  CHECK(bool(doc["compare_store"]));
  // Our gateway kept its store in a temporary folder, removed afterwards.
  std::string store{std::string_view{doc["store_dir"]}};
  REQUIRE(store.find(" (temporary)") != std::string::npos);
  CHECK(!std::filesystem::exists(store.substr(0, store.find(" ("))));
  // nginx's configuration is part of the report.
  std::string_view config = doc["nginx"]["config"];
  for (auto directive : {"worker_processes 1;", "access_log off;",
                         "keepalive 512;", "proxy_http_version 1.1;",
                         "proxy_set_header Connection \"\";"})
    CHECK(config.find(directive) != std::string_view::npos);
  CHECK(std::string_view{doc["nginx"]["version"]}.find("nginx/") == 0);

  simdjson::dom::array steps = doc["steps"];
  REQUIRE(steps.size() == 2);
  std::uint64_t expected_connections[] = {1, 4};
  std::size_t i = 0;
  for (auto step : steps) {
    CHECK(std::uint64_t(step["connections"]) == expected_connections[i++]);
    simdjson::dom::array targets = step["targets"];
    CHECK(names_of(targets)
          == std::vector<std::string>{"upstream", "nginx", "no-store",
                                      "gateway"});
    for (auto t : targets) {
      INFO(std::string_view{t["name"]});
      std::uint64_t requests = t["requests"], answered = t["answered"],
                    errors = t["errors_total"];
      CHECK(answered > 0);
      CHECK(errors == 0);
      CHECK(requests == answered + errors);
      CHECK(double(t["achieved_rate"]) > 0);
      check_ordered(t["latency_us"]);
      CHECK(std::uint64_t(t["latency_us"]["count"]) == answered);
      if (std::string_view{t["name"]} != "upstream") {
        double added = t["added_latency_us"]["p50"];
        double own = t["latency_us"]["p50"];
        double up = targets.at(0)["latency_us"]["p50"];
        CHECK(added == Approx(own - up));
      }
    }
    for (auto [target, reference] :
         {std::pair{"gateway", "no-store"}, std::pair{"gateway", "nginx"},
          std::pair{"no-store", "nginx"}}) {
      INFO(target << " / " << reference);
      auto c = comparison(step, target, reference);
      for (auto key : {"throughput", "completed", "p50", "p99"}) {
        double v = c[key];
        CHECK(std::isfinite(v));
        CHECK(v > 0);
      }
      if (std::string_view{reference} == "nginx") {
        // nginx's added latency is small and can drown in a loaded
        // machine's noise (0 or below, as under the sanitizers): a ratio to
        // it is then null, never a sign-flipped number.
        for (auto [ratio_key, percentile] :
             {std::pair{"added_p50", "p50"}, std::pair{"added_p99", "p99"}}) {
          INFO(ratio_key);
          double nginx_added = targets.at(1)["added_latency_us"][percentile];
          if (nginx_added > 0)
            CHECK(std::isfinite(double(c[ratio_key])));
          else
            CHECK(c[ratio_key].is_null());
        }
      }
    }
  }
  // Both gateways' memory was sampled.
  for (const char* key : {"memory", "no_store_memory"}) {
    INFO(key);
    CHECK(double(doc[key]["idle_rss_mb"]) > 1);
  }
}

TEST_CASE("bench gateway --compare-store --reference nginx prints the ratios "
          "and nginx's configuration in the open loop too",
          "[bench][gateway]") {
  if (!nginx_installed()) {
    WARN("nginx is not installed (scripts/install-deps.sh installs it): the "
         "nginx reference is not exercised here");
    return;
  }
  child_process bench{{SWITCHYARD_BINARY, "bench", "gateway", "--rate", "100",
                       "--duration", "0.5", "--warmup", "0", "--connections",
                       "4", "--compare-store", "--reference", "nginx"}};
  REQUIRE(bench.wait_exit(std::chrono::seconds{60}) == 0);
  INFO(bench.err());
  const auto& text = bench.out();
  INFO(text);
  for (auto line : {"gateway / no-store: throughput", "gateway / nginx:",
                    "added by nginx", "nginx reference: /usr/sbin/nginx",
                    "proxy_pass http://sim_upstream;", "(temporary)"})
    CHECK(text.find(line) != std::string::npos);
}

TEST_CASE("bench gateway --concurrent-streams reports completed streams and "
          "added time to first byte",
          "[bench][gateway]") {
  rlimit lim{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &lim) == 0);
  // Streams of about a second (sim-streaming.yaml) without faults: every
  // one completes, through the gateway too.
  child_process bench{{SWITCHYARD_BINARY, "bench", "gateway",
                       "--concurrent-streams", "4,24", "--sim-config",
                       SWITCHYARD_SOURCE_DIR "/bench/sim-streaming.yaml",
                       "--warmup", "0", "--timeout", "20", "--json"}};
  REQUIRE(bench.wait_exit(std::chrono::seconds{120}) == 0);
  INFO(bench.err());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(bench.out()).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view{doc["mode"]} == "concurrent_streams");
  // Raised to the hard limit (which children inherit).
  CHECK(std::uint64_t(doc["open_file_limit"])
        == static_cast<std::uint64_t>(lim.rlim_max));
  simdjson::dom::array steps = doc["steps"];
  REQUIRE(steps.size() == 2);
  std::uint64_t expected_streams[] = {4, 24};
  std::size_t i = 0;
  for (auto step : steps) {
    auto streams = expected_streams[i++];
    CHECK(std::uint64_t(step["streams"]) == streams);
    simdjson::dom::array targets = step["targets"];
    CHECK(names_of(targets)
          == std::vector<std::string>{"upstream", "gateway"});
    for (auto t : targets) {
      INFO(std::string_view{t["name"]});
      CHECK(std::uint64_t(t["requests"]) == streams);
      CHECK(std::uint64_t(t["answered"]) == streams);
      CHECK(std::uint64_t(t["first_byte_us"]["count"]) == streams);
      // A stream lasts about a second; its first byte comes well before.
      double first_byte = t["first_byte_us"]["p50"];
      double whole = t["latency_us"]["p50"];
      CHECK(first_byte > 0);
      CHECK(first_byte < whole);
      CHECK(whole > 500e3);
    }
    double added = targets.at(1)["added_first_byte_us"]["p50"];
    double gw = targets.at(1)["first_byte_us"]["p50"];
    double up = targets.at(0)["first_byte_us"]["p50"];
    CHECK(added == Approx(gw - up));
    auto c = comparison(step, "gateway", "upstream");
    CHECK(double(c["completed"]) == Approx(1.0));
  }
}
