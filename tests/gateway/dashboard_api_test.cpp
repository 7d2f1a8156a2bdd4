// The API the /ui dashboard reads, and its login, against a real gateway
// with a store in front of a real sim-upstream.
#include "gateway_fixture.hpp"

#include <simdjson.h>

#include <unistd.h>

using namespace switchyard::testing;

namespace {

// A critical task as one call, which the router makes an ensemble (by
// default it would run as a critic plan: docs/plans.md).
const std::string critical
  = R"({"model":"auto","switchyard":{"plan":"single"},"messages":[{"role":"user","content":"Audit production deployment for security vulnerabilities"}]})";
const std::string simple
  = R"({"model":"auto","messages":[{"role":"user","content":"say hello"}]})";

} // namespace

TEST_CASE("GET /v1/decisions pages the log newest first, with summaries",
          "[gateway][dashboard]") {
  scratch_dir dir{"dashboard"};
  gateway_fixture gw{{"--zero-delay"}, {"--data-dir", dir.path}};
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    auto r = gw.chat(i % 2 == 0 ? simple : critical);
    REQUIRE(r.status == 200);
    ids.push_back(r.headers["x-switchyard-decision-id"]);
  }
  simdjson::dom::parser p;
  auto page = gw.call("GET", "/v1/decisions?limit=3");
  REQUIRE(page.status == 200);
  auto doc = parse(p, page.body);
  auto rows = doc["data"].get_array().value();
  REQUIRE(rows.size() == 3);
  CHECK(std::string{rows.at(0)["id"].get_string().value()} == ids[3]);
  CHECK(std::string{rows.at(2)["id"].get_string().value()} == ids[1]);
  CHECK(doc["has_more"].get_bool().value());
  CHECK(doc["records_read"].get_uint64().value() == 4);
  auto newest = rows.at(0);
  CHECK(std::string{newest["task_type"].get_string().value()} == "security_audit");
  CHECK(std::string{newest["complexity"].get_string().value()} == "critical");
  CHECK(newest["parallel"].get_bool().value());
  CHECK(newest["ok"].get_bool().value());
  CHECK(newest["cost_usd"].get_double().value() > 0);
  CHECK(newest["attempts"].get_uint64().value() >= 3);
  CHECK_FALSE(std::string{newest["model"].get_string().value()}.empty());

  auto older = gw.call("GET", "/v1/decisions?limit=3&before="
                                + std::string{doc["next_before"].get_string().value()});
  REQUIRE(older.status == 200);
  simdjson::dom::parser p2;
  auto odoc = parse(p2, older.body);
  REQUIRE(odoc["data"].get_array().value().size() == 1);
  CHECK(std::string{odoc["data"].at(0)["id"].get_string().value()} == ids[0]);
  CHECK_FALSE(odoc["has_more"].get_bool().value());
  CHECK(odoc["next_before"].is_null());

  auto newer = gw.call("GET", "/v1/decisions?after=" + ids[2]);
  simdjson::dom::parser p3;
  REQUIRE(parse(p3, newer.body)["data"].get_array().value().size() == 1);

  CHECK(gw.call("GET", "/v1/decisions?limit=501").status == 400);
  CHECK(gw.call("GET", "/v1/decisions?after=dec_zz").status == 400);
  gw.gateway->stop();
}

TEST_CASE("POST /v1/decisions/{id}/replay says whether it comes out the same",
          "[gateway][dashboard]") {
  scratch_dir dir{"dashboard"};
  gateway_fixture gw{{"--zero-delay"}, {"--data-dir", dir.path}};
  auto r = gw.chat(critical);
  REQUIRE(r.status == 200);
  auto id = r.headers["x-switchyard-decision-id"];
  auto replay = gw.call("POST", "/v1/decisions/" + id + "/replay");
  REQUIRE(replay.status == 200);
  simdjson::dom::parser p;
  auto doc = parse(p, replay.body);
  CHECK(doc["identical"].get_bool().value());
  CHECK(doc["first_difference"].is_null());
  CHECK(doc["inputs_recorded"].get_bool().value());

  // A plan replays each step's routing too.
  auto chain = gw.call("POST", "/v1/chat/completions", simple,
                       gateway_fixture::admin_key, "X-Switchyard-Plan: chain\r\n");
  REQUIRE(chain.status == 200);
  REQUIRE(chain.headers["x-switchyard-plan"] == "chain");
  auto chain_replay = gw.call(
    "POST", "/v1/decisions/" + chain.headers["x-switchyard-decision-id"]
              + "/replay");
  REQUIRE(chain_replay.status == 200);
  simdjson::dom::parser p2;
  auto plan_doc = parse(p2, chain_replay.body);
  CHECK(plan_doc["steps"].get_uint64().value() == 2);
  CHECK(plan_doc["identical"].get_bool().value());
  CHECK(plan_doc["first_difference"].is_null());

  CHECK(gw.call("POST", "/v1/decisions/dec_00000000000fffff/replay").status
        == 404);
  CHECK(gw.call("POST", "/v1/decisions/nonsense/replay").status == 400);
  gw.gateway->stop();
}

TEST_CASE("GET /v1/analytics/spend buckets spend per model, with budgets and "
          "the always-best line",
          "[gateway][dashboard]") {
  scratch_dir dir{"dashboard"};
  gateway_fixture gw{{"--zero-delay"},
                     {"--data-dir", dir.path, "--daily-budget", "5"}};
  for (int i = 0; i < 3; ++i)
    REQUIRE(gw.chat(critical).status == 200);
  auto spend = gw.call("GET", "/v1/analytics/spend?bucket=minute");
  REQUIRE(spend.status == 200);
  simdjson::dom::parser p;
  auto doc = parse(p, spend.body);
  auto starts = doc["starts_unix_s"].get_array().value();
  CHECK(starts.size() >= 60);
  auto sum = [](simdjson::dom::element values) {
    simdjson::dom::array a;
    REQUIRE(values.get(a) == simdjson::SUCCESS);
    double s = 0;
    for (auto v : a)
      s += v.get_double().value();
    return s;
  };
  auto total = sum(doc["total_usd"]);
  auto best = sum(doc["always_best_usd"]);
  double by_models = 0;
  simdjson::dom::array models;
  REQUIRE(doc["by_model"].get(models) == simdjson::SUCCESS);
  for (auto line : models) {
    CHECK(line["usd"].get_array().value().size() == starts.size());
    by_models += sum(line["usd"]);
  }
  CHECK(total > 0);
  CHECK(best > total); // the strongest model costs more than the ensembles
  CHECK(by_models == Approx(total));
  CHECK(doc["tasks"].get_uint64().value() == 3);
  auto daily = doc["budgets"]["daily"];
  CHECK(daily["limit_usd"].get_double().value() == 5.0);
  // Today's spend is what the minute buckets since the UTC midnight before
  // the last bucket hold: all of it, unless the test ran across midnight.
  double today = 0;
  {
    std::vector<std::int64_t> start_s;
    for (auto v : starts)
      start_s.push_back(v.get_int64().value());
    simdjson::dom::array totals;
    REQUIRE(doc["total_usd"].get(totals) == simdjson::SUCCESS);
    std::vector<double> spent;
    for (auto v : totals)
      spent.push_back(v.get_double().value());
    REQUIRE(spent.size() == start_s.size());
    auto midnight = start_s.back() - start_s.back() % (24 * 3600);
    for (std::size_t i = 0; i < spent.size(); ++i)
      if (start_s[i] >= midnight)
        today += spent[i];
  }
  CHECK(daily["spent_today_usd"].get_double().value() == Approx(today));
  CHECK(gw.call("GET", "/v1/analytics/spend?bucket=week").status == 400);
  CHECK(gw.call("GET", "/v1/analytics/spend?bucket=day").status == 200);
  gw.gateway->stop();
}

TEST_CASE("GET /v1/providers keeps each breaker's transitions and call counts",
          "[gateway][dashboard]") {
  gateway_fixture gw{{"--zero-delay"}};
  REQUIRE(gw.chat(critical).status == 200);
  auto r = gw.call("GET", "/v1/providers");
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  auto doc = parse(p, r.body);
  std::uint64_t calls = 0;
  simdjson::dom::array providers;
  REQUIRE(doc["data"].get(providers) == simdjson::SUCCESS);
  for (auto provider : providers) {
    CHECK(provider["history"].is_array());
    CHECK(provider["error_rate"].is_number());
    calls += provider["calls"].get_uint64().value();
  }
  CHECK(calls >= 3); // the ensemble's members
  gw.gateway->stop();
}

TEST_CASE("the dashboard needs the admin key once, then a session cookie",
          "[gateway][dashboard]") {
  gateway_fixture gw{{"--zero-delay"}};
  auto ui = gw.call("GET", "/ui", {}, "");
  CHECK(ui.status == 401);
  CHECK_THAT(ui.headers["content-type"], Catch::StartsWith("text/html"));
  CHECK(gw.call("GET", "/ui/app.js", {}, "").status == 401);
  CHECK(gw.call("GET", "/ui/login", {}, "").status == 200);

  auto form = [&](const std::string& body, const std::string& extra = {}) {
    return raw_exchange(gw.port,
                        "POST /ui/login HTTP/1.1\r\nHost: localhost\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\n"
                        "Content-Length: "
                          + std::to_string(body.size()) + "\r\n" + extra
                          + "\r\n" + body);
  };
  auto wrong = form("key=sk-wrong");
  CHECK(wrong.status == 401);
  CHECK(wrong.headers.count("set-cookie") == 0);

  // The key as a browser's form sends it (URL-encoded).
  auto login = form("key=sk-admin-test-secret");
  REQUIRE(login.status == 303);
  auto cookie = login.headers["set-cookie"];
  CHECK_THAT(cookie, Catch::Contains("HttpOnly"));
  CHECK_THAT(cookie, Catch::Contains("SameSite=Strict"));
  CHECK_THAT(cookie, !Catch::Contains(gateway_fixture::admin_key));
  auto session = cookie.substr(0, cookie.find(';'));
  auto with_cookie = "Cookie: theme=dark; " + session + "\r\n";

  auto index = gw.call("GET", "/ui/", {}, "", with_cookie);
  CHECK(index.status == 200);
  CHECK_THAT(index.body, Catch::Contains("/ui/app.js"));
  CHECK(gw.call("GET", "/ui/app.js", {}, "", with_cookie).status == 200);
  // The session counts as the admin key for the API...
  CHECK(gw.call("GET", "/v1/providers", {}, "", with_cookie).status == 200);
  CHECK(gw.call("GET", "/v1/keys", {}, "", with_cookie).status == 200);
  // ...and the gateway's log never shows the key or the session token.
  auto logout = raw_exchange(gw.port, "POST /ui/logout HTTP/1.1\r\nHost: "
                                      "localhost\r\nContent-Length: 0\r\n"
                                        + with_cookie + "\r\n");
  CHECK(logout.status == 303);
  CHECK(gw.call("GET", "/ui/", {}, "", with_cookie).status == 401);
  CHECK(gw.call("GET", "/v1/providers", {}, "", with_cookie).status == 401);
  gw.gateway->stop();
  const auto& log = gw.gateway->err();
  CHECK(log.find(gateway_fixture::admin_key) == std::string::npos);
  CHECK(log.find(session.substr(session.find('=') + 1)) == std::string::npos);
}
