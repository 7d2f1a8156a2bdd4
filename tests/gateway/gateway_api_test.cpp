#include "gateway_fixture.hpp"

#include <simdjson.h>

#include <cstdlib>

using namespace switchyard::testing;

namespace {

const std::string hello
  = R"({"model":"auto","messages":[{"role":"user","content":"say hello"}]})";

} // namespace

TEST_CASE("chat completions answer in OpenAI's shape with the switchyard "
          "headers",
          "[gateway]") {
  gateway_fixture gw;
  auto r = gw.chat(R"({"model":"auto","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"Review this pull request diff for bugs"}]})");
  REQUIRE(r.status == 200);
  CHECK(r.headers["x-switchyard-model"] == "claude-sonnet-4");
  CHECK_THAT(r.headers["x-switchyard-decision-id"], Catch::Matches("dec_[0-9a-f]{16}"));
  CHECK(std::atof(r.headers["x-switchyard-cost-usd"].c_str()) > 0.0);
  simdjson::dom::parser p;
  auto doc = parse(p, r.body);
  std::string_view s;
  REQUIRE(doc["id"].get(s) == simdjson::SUCCESS);
  CHECK(s.substr(0, 9) == "chatcmpl-");
  CHECK(doc["object"].get(s) == simdjson::SUCCESS);
  CHECK(s == "chat.completion");
  std::int64_t created = 0;
  CHECK(doc["created"].get(created) == simdjson::SUCCESS);
  CHECK(created > 1'600'000'000);
  CHECK(doc["choices"].at(0)["message"]["content"].get(s) == simdjson::SUCCESS);
  CHECK_FALSE(s.empty());
  CHECK(doc["choices"].at(0)["finish_reason"].get(s) == simdjson::SUCCESS);
  std::int64_t total = 0;
  CHECK(doc["usage"]["total_tokens"].get(total) == simdjson::SUCCESS);
  CHECK(total > 0);
}

TEST_CASE("a registry id forces that model, and an unknown one is a 404",
          "[gateway]") {
  gateway_fixture gw;
  auto forced = gw.chat(R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"say hello"}]})");
  REQUIRE(forced.status == 200);
  CHECK(forced.headers["x-switchyard-model"] == "gpt-4o-mini");
  auto unknown = gw.chat(R"({"model":"gpt-7","messages":[{"role":"user","content":"hi"}]})");
  CHECK(unknown.status == 404);
  CHECK(error_code_of(unknown.body) == "model_not_found");
}

TEST_CASE("every upstream wire format answers through the gateway, plain and "
          "streamed",
          "[gateway]") {
  gateway_fixture gw;
  for (auto model : {"gpt-4o-mini", "claude-haiku-4", "gemini-flash-1.5",
                     "command-r", "qwen3:1.7b", "mistral-small-2"}) {
    INFO(model);
    auto body = std::string{R"({"model":")"} + model
                + R"(","messages":[{"role":"user","content":"say hello"}]})";
    auto plain = gw.chat(body);
    CHECK(plain.status == 200);
    CHECK(plain.headers["x-switchyard-model"] == model);
    auto streamed = gw.chat(std::string{R"({"model":")"} + model
                            + R"(","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"say hello"}]})");
    CHECK(streamed.status == 200);
    CHECK(streamed.headers["content-type"] == "text/event-stream");
    CHECK_THAT(streamed.body, Catch::StartsWith("data: {"));
    CHECK_THAT(streamed.body, Catch::Contains("\"usage\":{\"prompt_tokens\""));
    CHECK_THAT(streamed.body, Catch::Contains("data: [DONE]\n\n"));
    // After [DONE] only the cost, as an SSE comment that clients ignore.
    auto done = streamed.body.find("data: [DONE]\n\n");
    CHECK_THAT(streamed.body.substr(done + 14),
               Catch::StartsWith(": x-switchyard-cost-usd "));
  }
}

TEST_CASE("the Anthropic messages API answers in Anthropic's shape",
          "[gateway]") {
  gateway_fixture gw;
  auto r = gw.call("POST", "/v1/messages",
                   R"({"model":"auto","max_tokens":64,"system":"be brief","messages":[{"role":"user","content":"Write a fibonacci function"}]})",
                   "", std::string{"x-api-key: "} + gateway_fixture::admin_key
                         + "\r\nanthropic-version: 2023-06-01\r\n");
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  auto doc = parse(p, r.body);
  std::string_view s;
  CHECK(doc["type"].get(s) == simdjson::SUCCESS);
  CHECK(s == "message");
  CHECK(doc["content"].at(0)["type"].get(s) == simdjson::SUCCESS);
  CHECK(s == "text");
  std::int64_t out = 0;
  CHECK(doc["usage"]["output_tokens"].get(out) == simdjson::SUCCESS);
  CHECK(out <= 64);
  auto missing = gw.call("POST", "/v1/messages",
                         R"({"model":"auto","messages":[{"role":"user","content":"x"}]})");
  CHECK(missing.status == 400);
  CHECK_THAT(missing.body, Catch::Contains("\"type\":\"error\""));
  CHECK_THAT(missing.body, Catch::Contains("max_tokens"));
  auto streamed = gw.call("POST", "/v1/messages",
                          R"({"model":"auto","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"say hello"}]})");
  REQUIRE(streamed.status == 200);
  CHECK_THAT(streamed.body, Catch::StartsWith("event: message_start\n"));
  CHECK_THAT(streamed.body, Catch::Contains("event: content_block_delta\n"));
  CHECK_THAT(streamed.body, Catch::Contains("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
}

TEST_CASE("keys: missing, wrong, created, rate-limited, revoked, admin-only",
          "[gateway][auth]") {
  gateway_fixture gw;
  auto none = gw.chat(hello, "");
  CHECK(none.status == 401);
  CHECK(error_code_of(none.body) == "missing_api_key");
  auto wrong = gw.chat(hello, "sk-not-a-key");
  CHECK(wrong.status == 401);
  CHECK(error_code_of(wrong.body) == "invalid_api_key");
  // The error never echoes the key.
  CHECK(wrong.body.find("sk-not-a-key") == std::string::npos);

  auto created = gw.call("POST", "/v1/keys",
                         R"({"name":"ci","requests_per_minute":2})");
  REQUIRE(created.status == 201);
  simdjson::dom::parser p;
  auto doc = parse(p, created.body);
  std::string_view secret, id;
  REQUIRE(doc["key"].get(secret) == simdjson::SUCCESS);
  REQUIRE(doc["id"].get(id) == simdjson::SUCCESS);
  std::string key{secret}, key_id{id};
  CHECK(gw.chat(hello, key).status == 200);
  CHECK(gw.chat(hello, key).status == 200);
  auto limited = gw.chat(hello, key);
  CHECK(limited.status == 429);
  CHECK(error_code_of(limited.body) == "rate_limit_exceeded");
  CHECK(std::atoi(limited.headers["retry-after"].c_str()) >= 1);

  auto plain = gw.call("POST", "/v1/keys", R"({"name":"plain"})");
  REQUIRE(plain.status == 201);
  simdjson::dom::parser p2;
  std::string_view plain_secret;
  REQUIRE(parse(p2, plain.body)["key"].get(plain_secret) == simdjson::SUCCESS);
  auto forbidden = gw.call("GET", "/v1/keys", {}, std::string{plain_secret});
  CHECK(forbidden.status == 403);
  CHECK(error_code_of(forbidden.body) == "admin_required");
  auto listed = gw.call("GET", "/v1/keys");
  REQUIRE(listed.status == 200);
  CHECK_THAT(listed.body, Catch::Contains(key_id));
  // Only the hash is kept: the list never shows the secret.
  CHECK(listed.body.find(key) == std::string::npos);
  CHECK(gw.call("DELETE", "/v1/keys?id=" + key_id).status == 200);
  auto revoked = gw.chat(hello, key);
  CHECK(revoked.status == 401);
}

TEST_CASE("bad requests get OpenAI-style errors and the server stays healthy",
          "[gateway][limits]") {
  gateway_fixture gw{{"--zero-delay"}, {"--max-body-bytes", "4096"}};
  auto bad_json = gw.chat("{not json");
  CHECK(bad_json.status == 400);
  CHECK(error_code_of(bad_json.body) == "invalid_json");
  auto no_messages = gw.chat(R"({"model":"auto","messages":[]})");
  CHECK(no_messages.status == 400);
  auto bad_role = gw.chat(R"({"model":"auto","messages":[{"role":"wizard","content":"x"}]})");
  CHECK(bad_role.status == 400);
  CHECK_THAT(bad_role.body, Catch::Contains("messages[0].role"));
  auto bad_hint = gw.chat(R"({"model":"auto","switchyard":{"task_type":"coding"},"messages":[{"role":"user","content":"x"}]})");
  CHECK(bad_hint.status == 400);
  CHECK(error_code_of(bad_hint.body) == "invalid_task_type");
  auto unknown_path = gw.call("GET", "/v1/nothing");
  CHECK(unknown_path.status == 404);
  CHECK(error_code_of(unknown_path.body) == "unknown_url");

  SECTION("a body over the limit is a 413") {
    std::string big(8192, 'x');
    auto r = gw.chat(R"({"model":"auto","messages":[{"role":"user","content":")"
                     + big + "\"}]}");
    CHECK(r.status == 413);
  }
  SECTION("headers over the limit are a 431") {
    auto r = gw.call("GET", "/healthz", {}, "",
                     "X-Padding: " + std::string(40'000, 'a') + "\r\n");
    CHECK(r.status == 431);
  }
  SECTION("Content-Length together with Transfer-Encoding is refused") {
    auto r = raw_exchange(gw.port,
                          "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                          "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                          "\r\n0\r\n\r\n");
    CHECK(r.status == 400);
  }
  SECTION("a Transfer-Encoding that does not end in chunked is refused") {
    auto r = raw_exchange(gw.port,
                          "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                          "Transfer-Encoding: gzip\r\n\r\nabc");
    CHECK(r.status == 400);
  }
  auto health = gw.call("GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(gw.chat(hello).status == 200);
}

TEST_CASE("models, route, feedback, metrics and health endpoints",
          "[gateway]") {
  gateway_fixture gw;
  auto providers = gw.call("GET", "/v1/providers");
  REQUIRE(providers.status == 200);
  CHECK_THAT(providers.body, Catch::Contains("{\"id\":\"anthropic\",\"kind\":\"anthropic\",\"local\":false,\"breaker\":\"closed\",\"trips\":0,\"reopens_in_ms\":null,"));
  CHECK_THAT(providers.body, Catch::Contains("\"id\":\"ollama\""));
  auto models = gw.call("GET", "/v1/models");
  REQUIRE(models.status == 200);
  CHECK_THAT(models.body, Catch::Contains("\"id\":\"auto\""));
  CHECK_THAT(models.body, Catch::Contains("\"id\":\"claude-sonnet-4\""));
  auto route = gw.call("POST", "/v1/route",
                       R"({"model":"auto","messages":[{"role":"user","content":"Audit production deployment for security vulnerabilities"}]})");
  REQUIRE(route.status == 200);
  CHECK_THAT(route.body, Catch::Contains("\"complexity\":\"critical\""));
  CHECK_THAT(route.body, Catch::Contains("\"ensemble\":{\"models\":["));
  auto answer = gw.chat(R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"say hello"}]})");
  REQUIRE(answer.status == 200);
  auto id = answer.headers["x-switchyard-decision-id"];
  auto fb = gw.call("POST", "/v1/feedback",
                    R"({"decision_id":")" + id + R"(","outcome":"success","rating":5})");
  CHECK(fb.status == 200);
  CHECK_THAT(fb.body, Catch::Contains("\"accepted\":true"));
  auto bad_fb = gw.call("POST", "/v1/feedback", R"({"decision_id":"zz"})");
  CHECK(bad_fb.status == 400);
  auto metrics = gw.call("GET", "/metrics", {}, "");
  REQUIRE(metrics.status == 200);
  CHECK_THAT(metrics.body, Catch::Contains("switchyard_http_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"}"));
  CHECK_THAT(metrics.body, Catch::Contains("switchyard_gateway_added_seconds_bucket"));
  CHECK_THAT(metrics.body, Catch::Contains("switchyard_cost_usd_total{model="));
  // Metrics never carry a key.
  CHECK(metrics.body.find(gateway_fixture::admin_key) == std::string::npos);
  CHECK(gw.call("GET", "/readyz", {}, "").status == 200);
}

TEST_CASE("SIGTERM lets in-flight requests finish, then exits 0",
          "[gateway][drain]") {
  // A slow upstream: every answer takes ~1 s.
  auto path = "/tmp/switchyard-gw-slow-" + std::to_string(getpid()) + ".yaml";
  {
    std::ofstream f{path};
    f << "version: 1\nseed: 1\ntime_scale: 1\ndefaults:\n"
         "  latency_ms: 1000\n  ttft_ms: 0\n  tokens_per_second: 0\n"
         "  output_tokens: 20\n  faults: {}\nmodels:\n  gpt-4o-mini: {}\n";
  }
  gateway_fixture gw{{"--config", path}};
  // Send a request, then SIGTERM while it is upstream.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(gw.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  auto raw = request("POST", "/v1/chat/completions",
                     R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"say hello"}]})",
                     std::string{"Authorization: Bearer "}
                       + gateway_fixture::admin_key + "\r\n");
  REQUIRE(send(fd, raw.data(), raw.size(), MSG_NOSIGNAL)
          == static_cast<ssize_t>(raw.size()));
  // SIGTERM once the simulator holds the request: its stats count it in
  // "requests" (model listings are counted apart, and the model's name is
  // always in the stats' "listed" array).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  bool upstream = false;
  while (!upstream && std::chrono::steady_clock::now() < deadline) {
    auto body
      = raw_exchange(gw.sim_port, request("GET", "/sim/stats", {})).body;
    auto at = body.find("\"requests\":");
    upstream = at != std::string::npos
               && std::strtoull(body.c_str() + at + 11, nullptr, 10) > 0;
  }
  REQUIRE(upstream);
  kill(gw.gateway->pid(), SIGTERM);
  std::string in;
  char buf[8192];
  pollfd p{fd, POLLIN, 0};
  while (in.find("\r\n\r\n") == std::string::npos && poll(&p, 1, 10'000) > 0) {
    auto n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0)
      break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  CHECK_THAT(in, Catch::StartsWith("HTTP/1.1 200"));
  CHECK(gw.gateway->wait_exit() == 0);
  std::remove(path.c_str());
}

// The failure before the first byte is a 404 (the upstream does not serve
// the model), which falls back at once: nothing waits on retry backoff, so
// the result does not depend on the machine's load.
TEST_CASE("streams fall back before the first byte and end with an error "
          "event after it",
          "[gateway][stream]") {
  auto path = "/tmp/switchyard-gw-faults-" + std::to_string(getpid()) + ".yaml";
  write_sim_config(path, {{"gpt-4o-mini", "{truncate: 1.0}"}},
                   {{"claude-3-haiku-20240307", "{listed: false}"}});
  gateway_fixture gw{{"--config", path}};
  SECTION("a failure mid-stream is an error event, never [DONE]") {
    auto r = gw.chat(R"({"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"say hello"}]})");
    REQUIRE(r.status == 200);
    CHECK_THAT(r.body, Catch::Contains("\"delta\":{\"content\":"));
    CHECK_THAT(r.body, Catch::Contains("data: {\"error\":{"));
    CHECK(r.body.find("[DONE]") == std::string::npos);
  }
  SECTION("a failure before the first byte falls back") {
    auto r = gw.chat(R"({"model":"claude-haiku-4","stream":true,"messages":[{"role":"user","content":"say hello"}]})");
    REQUIRE(r.status == 200);
    CHECK(r.headers["x-switchyard-model"] != "claude-haiku-4");
    CHECK_THAT(r.body, Catch::Contains("data: [DONE]"));
  }
  std::remove(path.c_str());
}

TEST_CASE("GET /v1/decisions/{id} serves the logged decision", "[gateway]") {
  auto dir = "/tmp/switchyard-gw-store-" + std::to_string(getpid());
  gateway_fixture gw{{"--zero-delay"}, {"--data-dir", dir}};
  auto answer = gw.chat(R"({"model":"auto","messages":[{"role":"user","content":"Review this pull request diff for bugs"}]})");
  REQUIRE(answer.status == 200);
  auto id = answer.headers["x-switchyard-decision-id"];
  // The decision is logged before the answer goes out.
  auto logged = gw.call("GET", "/v1/decisions/" + id);
  REQUIRE(logged.status == 200);
  CHECK_THAT(logged.body, Catch::Contains("\"decision_id\":\"" + id + "\""));
  CHECK_THAT(logged.body, Catch::Contains("\"answered_by\":\"claude-sonnet-4\""));
  CHECK_THAT(logged.body, Catch::Contains("\"candidates\":["));
  CHECK(gw.call("GET", "/v1/decisions/dec_00000000000fffff").status == 404);
  CHECK(gw.call("GET", "/v1/decisions/nonsense").status == 400);
  auto costs = gw.call("GET", "/v1/analytics/costs");
  REQUIRE(costs.status == 200);
  CHECK_THAT(costs.body, Catch::Contains("\"always_best\":{\"model\":"));
  CHECK(gw.call("GET", "/v1/analytics/performance").status == 200);
  CHECK(gw.call("GET", "/v1/analytics/recommendations").status == 200);
  CHECK(gw.call("GET", "/v1/analytics/nothing").status == 404);
  gw.gateway->stop();
  std::string cmd = "rm -rf " + dir;
  CHECK(std::system(cmd.c_str()) == 0);
}

TEST_CASE("over --max-connections a new connection gets 503 "
          "too_many_connections and is closed, a freed slot serves again",
          "[gateway]") {
  gateway_fixture f{{"--zero-delay"}, {"--max-connections", "1"}};
  // Hold the one allowed connection open (a session reading its request).
  int held = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(held >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(f.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(held, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  // The held connection counts once the server accepted it: until then a
  // request may still get through, so ask until the limit shows (deadline).
  http_reply r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  do {
    r = raw_exchange(f.port, request("GET", "/healthz", {}));
  } while (r.status == 200 && std::chrono::steady_clock::now() < deadline);
  REQUIRE(r.status == 503);
  CHECK(r.headers["connection"] == "close");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view{doc["error"]["code"]} == "too_many_connections");
  CHECK(std::string_view{doc["error"]["type"]} == "server_error");
  // Free the slot: the server notices the close, and serves again.
  close(held);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  do {
    r = raw_exchange(f.port, request("GET", "/healthz", {}));
  } while (r.status != 200 && std::chrono::steady_clock::now() < deadline);
  CHECK(r.status == 200);
}
