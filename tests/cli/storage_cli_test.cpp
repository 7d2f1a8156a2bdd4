// explain, replay, analytics and experiments against a data directory that
// a runtime filled (the seeder), through the real `switchyard` binary.
#include "../storage/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace {

struct run_result {
  int exit_code = -1;
  std::string out; ///< stdout and stderr together
};

run_result run_program(const std::string& cmd) {
  run_result r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
    r.out.append(buf, n);
  auto status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

run_result run(const std::string& args) {
  return run_program(std::string{SWITCHYARD_BINARY} + " " + args);
}

/// A data directory with 30 executed tasks, each with success feedback.
struct seeded_store {
  switchyard::test::temp_dir dir;
  std::vector<std::string> ids;

  seeded_store() {
    auto r = run_program(std::string{SWITCHYARD_SEEDER} + " " + dir.path()
                         + " 30");
    REQUIRE(r.exit_code == 0);
    std::istringstream lines{r.out};
    for (std::string l; std::getline(lines, l);)
      ids.push_back(l);
    REQUIRE(ids.size() == 30);
  }

  std::string flag() const {
    return " --data-dir " + dir.path();
  }
};

simdjson::dom::element parse(simdjson::dom::parser& parser,
                             const std::string& text) {
  simdjson::dom::element doc;
  REQUIRE(parser.parse(text).get(doc) == simdjson::SUCCESS);
  return doc;
}

} // namespace

TEST_CASE("explain prints a logged decision, replay recomputes it",
          "[cli][storage]") {
  seeded_store s;
  const auto& id = s.ids.front();
  CHECK(id.rfind("dec_", 0) == 0);

  auto text = run("explain " + id + s.flag());
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("decision:    " + id));
  CHECK_THAT(text.out, Catch::Contains("answered by claude-sonnet-4"));
  CHECK_THAT(text.out, Catch::Contains("feedback:    success"));
  CHECK_THAT(text.out, Catch::Contains("CANDIDATE"));
  CHECK_THAT(text.out, Catch::Contains("rationale:"));

  auto json = run("explain --json " + id + s.flag());
  REQUIRE(json.exit_code == 0);
  simdjson::dom::parser parser;
  auto doc = parse(parser, json.out);
  std::string_view model, decision_id;
  REQUIRE(doc["rounds"].at(0)["decision"]["model"].get(model)
          == simdjson::SUCCESS);
  CHECK(model == "claude-sonnet-4");
  REQUIRE(doc["decision_id"].get(decision_id) == simdjson::SUCCESS);
  CHECK(decision_id == id);
  bool recorded = false;
  REQUIRE(doc["rounds"].at(0)["inputs"]["recorded"].get(recorded)
          == simdjson::SUCCESS);
  CHECK(recorded);

  // A moderate task runs a chain: the plan and each step, with its rounds'
  // evidence recomputed as the task's is.
  CHECK_THAT(text.out, Catch::Contains("plan:        chain, 2 steps"));
  CHECK_THAT(text.out, Catch::Contains("== step 1 of 2: planner"));
  CHECK_THAT(text.out, Catch::Contains("== step 2 of 2: executor"));
  std::string_view kind, role, evidence;
  REQUIRE(doc["plan"]["kind"].get(kind) == simdjson::SUCCESS);
  CHECK(kind == "chain");
  auto step = doc["plan"]["steps"].at(0);
  REQUIRE(step["role"].get(role) == simdjson::SUCCESS);
  CHECK(role == "planner");
  CHECK(step["model"].is_string());
  REQUIRE(step["evidence"].get(evidence) == simdjson::SUCCESS);
  CHECK(evidence == "recomputed");
  CHECK(step["rounds"].at(0)["decision"]["candidates"].get_array().size() > 0);

  for (const auto& each : s.ids) {
    auto replay = run("replay " + each + s.flag());
    INFO(replay.out);
    CHECK(replay.exit_code == 0);
    CHECK_THAT(replay.out, Catch::Contains(": identical"));
    CHECK_THAT(replay.out, Catch::Contains("step 1 planner: same"));
  }
  auto replay_json = run("replay --json " + s.ids.back() + s.flag());
  REQUIRE(replay_json.exit_code == 0);
  bool identical = false;
  auto replayed = parse(parser, replay_json.out);
  REQUIRE(replayed["identical"].get(identical) == simdjson::SUCCESS);
  CHECK(identical);
  CHECK(replayed["steps"].get_array().size() == 2);

  // Another configuration: the decision comes out otherwise, and the
  // changed hash is noted.
  std::ifstream in{std::string{SWITCHYARD_SOURCE_DIR} + "/config/models.yaml"};
  std::stringstream yaml;
  yaml << in.rdbuf();
  auto changed = yaml.str();
  const std::string cap = "max_cost_per_task_usd: 0.10";
  auto at = changed.find(cap);
  REQUIRE(at != std::string::npos);
  changed.replace(at, cap.size(), "max_cost_per_task_usd: 0.05");
  auto path = s.dir.sub("changed.yaml");
  std::ofstream{path} << changed;
  // A lower per-task cap changes every decision's budget cap.
  auto differs = run("replay " + s.ids[2] + " --config " + path + s.flag());
  INFO(differs.out);
  CHECK(differs.exit_code == 1);
  CHECK_THAT(differs.out,
             Catch::Contains("differs in round 1 of 1 at budget_cap_nanos: "
                             "logged 100000000, recomputed 50000000"));
  CHECK_THAT(differs.out, Catch::Contains("the config hash differs"));

  auto unknown = run("explain dec_00000000000fffff" + s.flag());
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.out, Catch::Contains("not found"));
  auto bad = run("replay dec_xyz" + s.flag());
  CHECK(bad.exit_code == 2);
  auto nowhere = run("explain 1 --data-dir " + s.dir.sub("nothing"));
  CHECK(nowhere.exit_code == 2);
  CHECK_THAT(nowhere.out, Catch::Contains("no switchyard store"));
}

TEST_CASE("analytics report on the store", "[cli][storage]") {
  seeded_store s;
  auto costs = run("analytics costs --json" + s.flag());
  REQUIRE(costs.exit_code == 0);
  simdjson::dom::parser parser;
  auto doc = parse(parser, costs.out);
  std::uint64_t tasks = 0;
  REQUIRE(doc["tasks"].get(tasks) == simdjson::SUCCESS);
  CHECK(tasks == 30);
  simdjson::dom::array by_model;
  REQUIRE(doc["by_model"].get(by_model) == simdjson::SUCCESS);
  // The three tasks' models, and the local model that writes the chains'
  // plans (the moderate tasks run planner -> executor).
  CHECK(by_model.size() == 4);

  auto perf = run("analytics performance --task-type code_review" + s.flag());
  REQUIRE(perf.exit_code == 0);
  CHECK_THAT(perf.out, Catch::Contains("claude-sonnet-4"));
  auto text = run("analytics costs" + s.flag());
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("always-best"));
  auto recs = run("analytics recommendations" + s.flag());
  REQUIRE(recs.exit_code == 0);
  CHECK_THAT(recs.out, Catch::Contains("no recommendation"));
  CHECK(run("analytics everything" + s.flag()).exit_code == 2);
}

TEST_CASE("experiments start, list and stop on a store", "[cli][storage]") {
  switchyard::test::temp_dir dir;
  auto flag = " --data-dir " + dir.path();
  auto started = run("experiments start review-ab --task-type code_review "
                     "--arms mini=gpt-4o-mini,router --min-samples 10 --seed 7"
                     + flag);
  INFO(started.out);
  REQUIRE(started.exit_code == 0);
  CHECK_THAT(started.out, Catch::Contains("review-ab: code_review, running"));
  auto again = run("experiments start other --task-type code_review --arms "
                   "gpt-4o-mini,claude-sonnet-4"
                   + flag);
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.out, Catch::Contains("already splits code_review"));
  auto unknown = run("experiments start x --task-type testing --arms "
                     "gpt-4o-mini,no-such-model"
                     + flag);
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.out, Catch::Contains("not in the registry"));
  // A node started on the store applies the experiment: the seeder's code
  // reviews are split between the two arms.
  auto seeded = run_program(std::string{SWITCHYARD_SEEDER} + " " + dir.path()
                            + " 30");
  REQUIRE(seeded.exit_code == 0);
  auto listed = run("experiments list --json" + flag);
  REQUIRE(listed.exit_code == 0);
  simdjson::dom::parser parser;
  auto doc = parse(parser, listed.out);
  std::uint64_t mini = 0, control = 0;
  REQUIRE(doc.at(0)["arms"].at(0)["n"].get(mini) == simdjson::SUCCESS);
  REQUIRE(doc.at(0)["arms"].at(1)["n"].get(control) == simdjson::SUCCESS);
  CHECK(mini + control == 10);
  CHECK(mini > 0);
  CHECK(control > 0);
  auto stopped = run("experiments stop review-ab" + flag);
  REQUIRE(stopped.exit_code == 0);
  CHECK_THAT(stopped.out, Catch::Contains("review-ab: code_review, stopped"));
  CHECK(run("experiments stop nope" + flag).exit_code == 1);
}
