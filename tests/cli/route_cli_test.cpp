// Runs the real `switchyard` executable and reads what it prints.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct run_result {
  int exit_code = -1;
  std::string out; ///< stdout and stderr together
};

/// Runs the binary through the shell with `args`, capturing both streams.
run_result run(const std::string& args) {
  std::string cmd = std::string{SWITCHYARD_BINARY} + " " + args + " 2>&1";
  run_result r;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
    r.out.append(buf, n);
  auto status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string temp_file(const std::string& name, const std::string& content) {
  auto path = "/tmp/switchyard-cli-test-" + std::to_string(getpid()) + "-"
              + name;
  std::ofstream{path} << content;
  return path;
}

} // namespace

TEST_CASE("route --json prints the decision object", "[cli]") {
  auto r = run("route --json 'say hello'");
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.out).get(doc) == simdjson::SUCCESS);
  std::string_view model, complexity, id;
  REQUIRE(doc["model"].get(model) == simdjson::SUCCESS);
  CHECK(model == "qwen3:1.7b");
  REQUIRE(doc["complexity"].get(complexity) == simdjson::SUCCESS);
  CHECK(complexity == "simple");
  REQUIRE(doc["decision_id"].get(id) == simdjson::SUCCESS);
  CHECK(id.substr(0, 4) == "dec_");
  bool is_local = false;
  REQUIRE(doc["is_local"].get(is_local) == simdjson::SUCCESS);
  CHECK(is_local);
  simdjson::dom::array candidates;
  REQUIRE(doc["candidates"].get(candidates) == simdjson::SUCCESS);
  CHECK(candidates.size() > 3);
  double quality_points = -1;
  REQUIRE(candidates.at(0)["factors"]["quality"].get(quality_points)
          == simdjson::SUCCESS);
  CHECK(quality_points > 0);
  for (auto key : {"fallbacks", "ensemble", "estimated_cost_usd",
                   "filtered_out", "rationale", "task_type",
                   "complexity_score", "provider"})
    CHECK(doc[key].error() == simdjson::SUCCESS);
}

TEST_CASE("route flags reach the decision", "[cli]") {
  auto r = run("route --json --task-type security_audit --quality 0.95 "
               "--budget 0.5 'Check the login handler'");
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.out).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array members;
  REQUIRE(doc["ensemble"]["models"].get(members) == simdjson::SUCCESS);
  CHECK(members.size() == 3);
  std::string_view judge;
  CHECK(doc["ensemble"]["judge"].get(judge) == simdjson::SUCCESS);
}

TEST_CASE("route --examples prints a table with one row per task", "[cli]") {
  auto r = run("route --examples");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("TASK"));
  CHECK_THAT(r.out, Catch::Contains("FALLBACKS / ENSEMBLE"));
  CHECK_THAT(r.out, Catch::Contains("ensemble:"));
  CHECK_THAT(r.out, Catch::Contains("(local)"));
  auto lines = std::count(r.out.begin(), r.out.end(), '\n');
  CHECK(lines == 11);
}

TEST_CASE("bad route input gets a clear error and exit code 2", "[cli]") {
  auto unknown_flag = run("route --budjet 1 'x'");
  CHECK(unknown_flag.exit_code == 2);
  CHECK_THAT(unknown_flag.out, Catch::Contains("did you mean --budget?"));
  auto bad_type = run("route --task-type coding 'x'");
  CHECK(bad_type.exit_code == 2);
  CHECK_THAT(bad_type.out, Catch::Contains("code_generation"));
  auto bad_number = run("route --budget lots 'x'");
  CHECK(bad_number.exit_code == 2);
  CHECK_THAT(bad_number.out, Catch::Contains("--budget must be a number"));
  auto bad_model = run("route --force-model gpt-7 'x'");
  CHECK(bad_model.exit_code == 2);
  CHECK_THAT(bad_model.out, Catch::Contains("'gpt-7' is not in the registry"));
}

TEST_CASE("every command has --help", "[cli]") {
  for (auto cmd : {"route --help", "config --help", "bench --help", "--help"}) {
    INFO(cmd);
    auto r = run(cmd);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("usage:"));
  }
}

TEST_CASE("config check accepts the default registry and refuses a broken "
          "one with file:line",
          "[cli][config]") {
  auto ok = run(std::string{"config check "} + SWITCHYARD_SOURCE_DIR
                + "/config/models.yaml");
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains(": ok ("));
  auto path = temp_file("broken.yaml",
                        "version: 1\n"
                        "providers:\n"
                        "  local:\n"
                        "    kind: ollama\n"
                        "    base_url: http://127.0.0.1:11434\n"
                        "    local: true\n"
                        "models:\n"
                        "  - id: tiny\n"
                        "    provider: local\n"
                        "    upstream: tiny\n"
                        "    qualty: 0.5\n");
  auto bad = run("config check " + path);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.out, Catch::Contains(path + ":11:"));
  CHECK_THAT(bad.out, Catch::Contains("did you mean 'quality'"));
  std::remove(path.c_str());
}

TEST_CASE("bench engine --json reports a decision rate", "[cli][bench]") {
  auto r = run("bench engine --json --seconds 0.2 --samples 2000");
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.out).get(doc) == simdjson::SUCCESS);
  double rate = 0;
  REQUIRE(doc["decisions_per_second"].get(rate) == simdjson::SUCCESS);
  CHECK(rate > 0);
  double p99 = 0;
  REQUIRE(doc["latency_us"]["p99"].get(p99) == simdjson::SUCCESS);
  CHECK(p99 > 0);
}

TEST_CASE("every command's --help lists its flags", "[cli]") {
  for (auto cmd : {"route", "config", "serve", "demo-client", "sim-upstream",
                   "bench", "bench gateway", "bench quality",
                   "bench dashboard", "explain", "replay", "experiments",
                   "keys", "analytics", "store-stats"}) {
    INFO(cmd);
    auto r = run(std::string{cmd} + " --help");
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("usage: switchyard "));
    CHECK_THAT(r.out, Catch::Contains("\nflags:\n"));
    CHECK_THAT(r.out, Catch::Contains("  -h,--help "));
  }
}

TEST_CASE("serve --help shows each flag with what it takes and its default",
          "[cli]") {
  auto r = run("serve --help");
  REQUIRE(r.exit_code == 0);
  for (auto text : {"  --listen TEXT ", "default 127.0.0.1:8080",
                    "  --threads INTEGER ", "  --drain-timeout NUMBER ",
                    "seconds to drain on SIGTERM (default 30)",
                    "  --no-auth ", "serve without API keys (local use only)",
                    "  --cluster-seeds TEXT "}) {
    INFO(text);
    CHECK_THAT(r.out, Catch::Contains(text));
  }
}

TEST_CASE("a bad flag stops any command with exit code 2 and the flag named",
          "[cli]") {
  // Each fails while parsing, before the command starts anything.
  auto threads = run("serve --threads many");
  CHECK(threads.exit_code == 2);
  CHECK_THAT(threads.out,
             Catch::Contains(
               "switchyard serve: --threads must be an integer, got 'many'"));
  auto unknown = run("sim-upstream --zero-dealy");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.out,
             Catch::Contains("switchyard sim-upstream: unknown flag "
                             "--zero-dealy; did you mean --zero-delay?"));
  auto flag_value = run("route --json=yes 'x'");
  CHECK(flag_value.exit_code == 2);
  CHECK_THAT(flag_value.out, Catch::Contains("flag --json takes no value"));
  auto missing = run("bench engine --seconds");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.out,
             Catch::Contains("switchyard bench: flag --seconds needs a value"));
  auto rate = run("bench gateway --rate fast");
  CHECK(rate.exit_code == 2);
  CHECK_THAT(rate.out, Catch::Contains("--rate must be a number, got 'fast'"));
}

TEST_CASE("route --plan routes every step, and --json prints the plan",
          "[cli][plan]") {
  auto json = run("route --json --plan specialists \"Write a fibonacci "
                  "function in python\"");
  INFO(json.out);
  REQUIRE(json.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json.out).get(doc) == simdjson::SUCCESS);
  std::string_view kind;
  REQUIRE(doc["plan"]["kind"].get(kind) == simdjson::SUCCESS);
  CHECK(kind == "specialists");
  simdjson::dom::array steps;
  REQUIRE(doc["plan"]["steps"].get(steps) == simdjson::SUCCESS);
  std::vector<std::string> roles;
  for (auto s : steps) {
    std::string_view role, model;
    REQUIRE(s["role"].get(role) == simdjson::SUCCESS);
    CHECK(s["model"].get(model) == simdjson::SUCCESS);
    roles.emplace_back(role);
  }
  CHECK(roles
        == std::vector<std::string>{"research", "implementation", "review",
                                    "synthesis"});

  auto text = run("route --plan chain \"Write a fibonacci function in python\"");
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("plan: chain") != std::string::npos);
  CHECK(text.out.find("planner: ") != std::string::npos);
  CHECK(text.out.find("executor (answers): ") != std::string::npos);

  auto single = run("route --json \"hello\"");
  REQUIRE(single.exit_code == 0);
  CHECK(single.out.find(R"("plan":{"kind":"single")") != std::string::npos);

  auto bad = run("route --plan committee hello");
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.find("unknown --plan 'committee'") != std::string::npos);
}
