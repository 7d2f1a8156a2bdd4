// Execution plans through the gateway (docs/plans.md): the caller's choice
// in the body or a header, the answer's plan headers, a streamed chain, and
// the plan in /v1/route.
#include "gateway_fixture.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace switchyard::testing;

namespace {

constexpr const char* fibonacci
  = R"("messages":[{"role":"user","content":"Write a fibonacci function in python"}])";

std::string body(const std::string& extra) {
  return std::string{R"({"model":"auto",)"} + fibonacci + extra + "}";
}

/// The roles of an x-switchyard-steps value (role=model:usd,...).
std::vector<std::string> roles(const std::string& steps) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < steps.size()) {
    auto end = steps.find(',', at);
    if (end == std::string::npos)
      end = steps.size();
    auto item = steps.substr(at, end - at);
    out.push_back(item.substr(0, item.find('=')));
    at = end + 1;
  }
  return out;
}

} // namespace

TEST_CASE("switchyard.plan and X-Switchyard-Plan choose the plan, and the answer "
          "names it and its steps",
          "[gateway][plan]") {
  gateway_fixture gw;
  using list = std::vector<std::string>;

  auto chain = gw.chat(body(R"(,"switchyard":{"plan":"chain"})"));
  INFO(chain.body);
  REQUIRE(chain.status == 200);
  CHECK(chain.headers["x-switchyard-plan"] == "chain");
  CHECK(roles(chain.headers["x-switchyard-steps"])
        == list{"planner", "executor"});
  CHECK(chain.headers["x-switchyard-attempts"] == "2");

  auto specialists
    = gw.call("POST", "/v1/chat/completions", body(""),
              gateway_fixture::admin_key, "X-Switchyard-Plan: specialists\r\n");
  REQUIRE(specialists.status == 200);
  CHECK(specialists.headers["x-switchyard-plan"] == "specialists");
  CHECK(roles(specialists.headers["x-switchyard-steps"])
        == list{"research", "implementation", "review", "synthesis"});

  auto single = gw.chat(body(R"(,"switchyard":{"plan":"single"})"));
  REQUIRE(single.status == 200);
  CHECK(single.headers["x-switchyard-plan"] == "single");
  CHECK(roles(single.headers["x-switchyard-steps"]) == list{"answer"});

  // An agent's turn runs as one call unless the caller asks otherwise.
  auto agent = gw.chat(
    body(R"(,"tools":[{"type":"function","function":{"name":"run","parameters":{"type":"object"}}}])"));
  REQUIRE(agent.status == 200);
  CHECK(agent.headers["x-switchyard-plan"] == "single");

  auto unknown = gw.chat(body(R"(,"switchyard":{"plan":"committee"})"));
  CHECK(unknown.status == 400);
  CHECK(error_code_of(unknown.body) == "invalid_plan");
  auto typo = gw.chat(body(R"(,"switchyard":{"plna":"chain"})"));
  CHECK(typo.status == 400);
  CHECK(error_code_of(typo.body) == "unknown_parameter");
  CHECK(typo.body.find("switchyard.plna") != std::string::npos);
}

TEST_CASE("a streamed chain streams its last step", "[gateway][plan][stream]") {
  gateway_fixture gw;
  auto r = gw.chat(body(R"(,"stream":true,"switchyard":{"plan":"chain"})"));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"] == "text/event-stream");
  CHECK(r.headers["x-switchyard-plan"] == "chain");
  // Several content deltas (the executor's stream), then the plan's steps
  // as comments, then the end.
  std::size_t deltas = 0;
  for (auto at = r.body.find("\"content\":\""); at != std::string::npos;
       at = r.body.find("\"content\":\"", at + 1))
    ++deltas;
  CHECK(deltas > 1);
  CHECK(r.body.find(": x-switchyard-steps planner=") != std::string::npos);
  CHECK(r.body.find("data: [DONE]") != std::string::npos);
}

TEST_CASE("/v1/route shows the plan with every step's model",
          "[gateway][plan]") {
  gateway_fixture gw;
  auto r = gw.call("POST", "/v1/route", body(R"(,"switchyard":{"plan":"critic"})"));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.headers["x-switchyard-plan"] == "critic");
  simdjson::dom::parser p;
  auto doc = parse(p, r.body);
  std::string_view kind;
  REQUIRE(doc["plan"]["kind"].get(kind) == simdjson::SUCCESS);
  CHECK(kind == "critic");
  simdjson::dom::array steps;
  REQUIRE(doc["plan"]["steps"].get(steps) == simdjson::SUCCESS);
  std::vector<std::string> seen;
  for (auto s : steps) {
    std::string_view role, model;
    REQUIRE(s["role"].get(role) == simdjson::SUCCESS);
    CHECK(s["model"].get(model) == simdjson::SUCCESS);
    seen.emplace_back(role);
  }
  CHECK(seen
        == std::vector<std::string>{"research", "implementation", "review",
                                    "synthesis", "critic"});
}
