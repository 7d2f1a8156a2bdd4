// Keys (created over the API and with `switchyard keys`, persisted, with
// their own budgets), experiments over the API, and the breaker and budget
// gauges in /metrics -- against real processes.

#include "gateway_fixture.hpp"

#include <unistd.h>

#include <filesystem>

using namespace switchyard::testing;

namespace {

const std::string hello
  = R"({"model":"auto","messages":[{"role":"user","content":"say hello"}]})";

/// Forced onto a commercial model: never free.
const std::string forced_gpt4o
  = R"({"model":"gpt-4o","messages":[{"role":"user","content":"say hello"}]})";

struct created_key {
  std::string id;
  std::string secret;
};

/// A key made over the API; `durable` when the gateway has a data dir.
created_key create_key(gateway_fixture& gw, const std::string& body,
                       bool durable = false) {
  auto r = gw.call("POST", "/v1/keys", body);
  INFO(r.body);
  REQUIRE(r.status == 201);
  simdjson::dom::parser p;
  auto doc = parse(p, r.body);
  std::string_view id, secret;
  REQUIRE(doc["id"].get(id) == simdjson::SUCCESS);
  REQUIRE(doc["key"].get(secret) == simdjson::SUCCESS);
  bool stored = false;
  REQUIRE(doc["stored"].get(stored) == simdjson::SUCCESS);
  CHECK(stored == durable);
  return {std::string{id}, std::string{secret}};
}

/// Runs `switchyard ARGS...` to completion; its stdout.
std::string run_cli(std::vector<std::string> args, int expected_exit = 0) {
  args.insert(args.begin(), SWITCHYARD_BINARY);
  child_process cli{args};
  auto code = cli.wait_exit();
  INFO(cli.err());
  REQUIRE(code == expected_exit);
  return cli.out();
}

/// The value of a Prometheus sample with exactly these labels, or none.
std::optional<double> sample(const std::string& metrics,
                             const std::string& series) {
  auto at = metrics.find("\n" + series + " ");
  if (at == std::string::npos)
    return std::nullopt;
  return std::atof(metrics.c_str() + at + series.size() + 2);
}

} // namespace

TEST_CASE("keys made over the API survive a restart, with their budgets and "
          "revocations",
          "[gateway][auth][keys]") {
  scratch_dir dir{"keys"};
  created_key broke, funded, gone;
  {
    gateway_fixture gw{{"--zero-delay"}, {"--data-dir", dir.path}};
    broke = create_key(gw, R"({"name":"broke","budget_usd":0})", true);
    funded = create_key(
      gw, R"({"name":"funded","budget_usd":5,"requests_per_minute":1000})",
      true);
    gone = create_key(gw, R"({"name":"gone"})", true);
    // A $0 budget cannot pay for a commercial model: refused, as OpenAI
    // refuses an account without quota.
    auto refused = gw.chat(forced_gpt4o, broke.secret);
    CHECK(refused.status == 429);
    CHECK(error_code_of(refused.body) == "insufficient_quota");
    auto paid = gw.chat(forced_gpt4o, funded.secret);
    REQUIRE(paid.status == 200);
    CHECK(std::atof(paid.headers["x-switchyard-cost-usd"].c_str()) > 0.0);
    CHECK(gw.call("DELETE", "/v1/keys/" + gone.id).status == 200);
    CHECK(gw.chat(hello, gone.secret).status == 401);
    // What each key has left is in /metrics, per key id (never the secret).
    auto metrics = gw.call("GET", "/metrics");
    REQUIRE(metrics.status == 200);
    CHECK(sample(metrics.body, "switchyard_budget_remaining_usd{scope=\"key\",key=\""
                                 + broke.id + "\"}")
          == 0.0);
    auto left = sample(metrics.body, "switchyard_budget_remaining_usd{scope=\"key\",key=\""
                                       + funded.id + "\"}");
    REQUIRE(left);
    CHECK(*left < 5.0);
    CHECK(*left > 4.0);
    CHECK(metrics.body.find(funded.secret) == std::string::npos);
  }
  // A new process on the same data directory knows all three keys.
  gateway_fixture gw{{"--zero-delay"}, {"--data-dir", dir.path}};
  CHECK(gw.chat(forced_gpt4o, broke.secret).status == 429);
  CHECK(gw.chat(forced_gpt4o, funded.secret).status == 200);
  auto revoked = gw.chat(hello, gone.secret);
  CHECK(revoked.status == 401);
  CHECK_THAT(revoked.body, Catch::Contains("revoked"));
  auto listed = gw.call("GET", "/v1/keys");
  REQUIRE(listed.status == 200);
  simdjson::dom::parser p;
  simdjson::dom::array data;
  REQUIRE(parse(p, listed.body)["data"].get(data) == simdjson::SUCCESS);
  CHECK(data.size() == 3);
  for (const auto& k : {broke, funded, gone}) {
    CHECK_THAT(listed.body, Catch::Contains(k.id));
    CHECK(listed.body.find(k.secret) == std::string::npos);
  }
}

TEST_CASE("POST /v1/keys refuses bad fields and non-admin callers",
          "[gateway][auth][keys]") {
  gateway_fixture gw;
  auto bad = gw.call("POST", "/v1/keys", R"({"name":"x","budget_usd":-1})");
  CHECK(bad.status == 400);
  CHECK(error_code_of(bad.body) == "invalid_budget_usd");
  auto unknown = gw.call("POST", "/v1/keys", R"({"nmae":"x"})");
  CHECK(unknown.status == 400);
  CHECK_THAT(unknown.body, Catch::Contains("nmae"));
  auto plain = create_key(gw, R"({"name":"plain"})");
  auto forbidden = gw.call("POST", "/v1/keys", R"({"name":"y"})", plain.secret);
  CHECK(forbidden.status == 403);
  CHECK(gw.call("DELETE", "/v1/keys/key_0000000000000000").status == 404);
  // An admin key made over the API may manage keys itself.
  auto admin = create_key(gw, R"({"name":"ops","admin":true})");
  CHECK(gw.call("GET", "/v1/keys", {}, admin.secret).status == 200);
}

TEST_CASE("switchyard keys create/list/revoke work on a stopped node's store",
          "[gateway][auth][keys][cli]") {
  scratch_dir dir{"cli-keys"};
  auto made = run_cli({"keys", "create", "--name", "ci", "--rpm", "600",
                       "--budget-usd", "2.5", "--data-dir", dir.path,
                       "--json"});
  simdjson::dom::parser p;
  auto doc = parse(p, made);
  std::string_view id_view, secret_view;
  REQUIRE(doc["id"].get(id_view) == simdjson::SUCCESS);
  REQUIRE(doc["key"].get(secret_view) == simdjson::SUCCESS);
  std::string id{id_view}, secret{secret_view};
  auto listed = run_cli({"keys", "list", "--data-dir", dir.path});
  CHECK_THAT(listed, Catch::Contains(id));
  CHECK_THAT(listed, Catch::Contains("$2.50"));
  CHECK(listed.find(secret) == std::string::npos);
  {
    gateway_fixture gw{{"--zero-delay"}, {"--data-dir", dir.path}};
    CHECK(gw.chat(hello, secret).status == 200);
    // The node holds the store: writing it beside a running node fails
    // with a message, and changes nothing.
    auto busy = run_cli({"keys", "revoke", id, "--data-dir", dir.path}, 2);
    (void) busy;
    CHECK(gw.chat(hello, secret).status == 200);
  }
  run_cli({"keys", "revoke", id, "--data-dir", dir.path});
  run_cli({"keys", "revoke", "key_ffffffffffffffff", "--data-dir", dir.path}, 1);
  gateway_fixture gw{{"--zero-delay"}, {"--data-dir", dir.path}};
  CHECK(gw.chat(hello, secret).status == 401);
}

TEST_CASE("experiments over the API: start (admin), list, stop",
          "[gateway][experiments]") {
  gateway_fixture gw;
  auto plain = create_key(gw, R"({"name":"plain"})");
  const std::string spec
    = R"({"id":"mini-vs-router","task_type":"code_review","arms":[{"name":"mini","model":"gpt-4o-mini"},"router"],"metric":"success","min_samples_per_arm":50})";
  CHECK(gw.call("POST", "/v1/experiments", spec, plain.secret).status == 403);
  auto bad_model = gw.call(
    "POST", "/v1/experiments",
    R"({"id":"x","task_type":"code_review","arms":["no-such-model","router"]})");
  CHECK(bad_model.status == 400);
  CHECK(error_code_of(bad_model.body) == "invalid_experiment");
  CHECK_THAT(bad_model.body, Catch::Contains("no-such-model"));
  auto missing = gw.call("POST", "/v1/experiments", R"({"id":"x"})");
  CHECK(missing.status == 400);
  CHECK_THAT(missing.body, Catch::Contains("task_type"));

  auto started = gw.call("POST", "/v1/experiments", spec);
  INFO(started.body);
  REQUIRE(started.status == 201);
  CHECK_THAT(started.body, Catch::Contains(R"("id":"mini-vs-router")"));
  CHECK_THAT(started.body, Catch::Contains(R"("running":true)"));
  // Code reviews now go to an arm; each answer is one observation of
  // first-call success.
  for (int i = 0; i < 6; ++i)
    REQUIRE(gw.chat(R"({"model":"auto","messages":[{"role":"user","content":"Review this pull request diff for bugs"}]})")
              .status
            == 200);
  auto listed = gw.call("GET", "/v1/experiments", {}, plain.secret);
  REQUIRE(listed.status == 200);
  simdjson::dom::parser p;
  simdjson::dom::array data;
  REQUIRE(parse(p, listed.body)["data"].get(data) == simdjson::SUCCESS);
  REQUIRE(data.size() == 1);
  std::uint64_t assigned = 0;
  for (auto arm : data.at(0)["arms"].get_array()) {
    std::uint64_t n = 0;
    REQUIRE(arm["n"].get(n) == simdjson::SUCCESS);
    assigned += n;
  }
  CHECK(assigned == 6);
  auto stopped = gw.call("POST", "/v1/experiments/mini-vs-router/stop");
  REQUIRE(stopped.status == 200);
  CHECK_THAT(stopped.body, Catch::Contains(R"("running":false)"));
  auto unknown = gw.call("POST", "/v1/experiments/nope/stop");
  CHECK(unknown.status == 404);
}

TEST_CASE("/metrics shows breaker states and trips, retries and budgets",
          "[gateway][metrics]") {
  // Ollama's one model always fails: its breaker opens.
  scratch_dir dir{"metrics"};
  std::filesystem::create_directories(dir.path);
  auto config = dir.path + "/sim.yaml";
  write_sim_config(config, {{"qwen3:1.7b", "{http_500: 1.0}"}});
  gateway_fixture gw{{"--config", config}, {"--global-budget", "100"}};
  for (int i = 0; i < 8; ++i)
    REQUIRE(gw.chat(R"({"model":"qwen3:1.7b","messages":[{"role":"user","content":"what is 2+2"}]})")
              .status
            == 200);
  REQUIRE(gw.chat(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})")
            .status
          == 200);
  auto metrics = gw.call("GET", "/metrics");
  REQUIRE(metrics.status == 200);
  INFO(metrics.body);
  CHECK(sample(metrics.body, "switchyard_breaker_state{provider=\"ollama\"}") == 1.0);
  auto trips = sample(metrics.body, "switchyard_breaker_trips_total{provider=\"ollama\"}");
  REQUIRE(trips);
  CHECK(*trips >= 1.0);
  CHECK(sample(metrics.body, "switchyard_breaker_state{provider=\"openai\"}") == 0.0);
  auto remaining = sample(metrics.body, "switchyard_budget_remaining_usd{scope=\"global\"}");
  auto spent = sample(metrics.body, "switchyard_budget_spent_usd{scope=\"global\"}");
  REQUIRE(remaining);
  REQUIRE(spent);
  CHECK(*remaining + *spent <= 100.0 + 1e-9);
  CHECK(*spent > 0.0);
  CHECK_THAT(metrics.body, Catch::Contains("# TYPE switchyard_retries_total counter"));
}

TEST_CASE("feedback over HTTP: only the key that made a decision (or the "
          "admin) may give it, another key gets the unknown id's 404",
          "[gateway][auth][feedback]") {
  scratch_dir dir{"feedback-owner"};
  gateway_fixture gw{{"--zero-delay"}, {"--data-dir", dir.path}};
  auto a = create_key(gw, R"({"name":"tenant-a"})", true);
  auto b = create_key(gw, R"({"name":"tenant-b"})", true);
  auto answer = gw.chat(hello, a.secret);
  REQUIRE(answer.status == 200);
  auto id = answer.headers["x-switchyard-decision-id"];
  REQUIRE_FALSE(id.empty());
  auto feedback = [&](const std::string& decision, const std::string& key) {
    return gw.call("POST", "/v1/feedback",
                   R"({"decision_id":")" + decision
                     + R"(","outcome":"failure","rating":1})",
                   key);
  };
  auto other = feedback(id, b.secret);
  CHECK(other.status == 404);
  CHECK(error_code_of(other.body) == "decision_not_found");
  auto unknown = feedback("dec_00000000000fffff", b.secret);
  CHECK(unknown.status == 404);
  // The same answer, so that a key cannot tell another's ids from none.
  CHECK(unknown.body == other.body);
  auto own = feedback(id, a.secret);
  CHECK(own.status == 200);
  CHECK_THAT(own.body, Catch::Contains("\"stored\":true"));
  CHECK(feedback(id, gateway_fixture::admin_key).status == 200);
}
