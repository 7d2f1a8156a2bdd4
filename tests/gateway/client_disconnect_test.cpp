// Against real processes: a client that disconnects cancels its upstream
// call (the simulator sees its connection closed before its answer ended)
// and releases its reservation; a provider whose slots and queue are full
// makes the gateway answer 429 with Retry-After at once.

#include "../raw_connection.hpp"
#include "gateway_fixture.hpp"

#include <cstdio>
#include <functional>

using namespace switchyard::testing;

namespace {

/// A request left open: sent, answered (or not) later.
struct open_request : raw_connection {
  open_request(std::uint16_t port, const std::string& raw)
      : raw_connection{port} {
    send_text(raw);
  }
};

std::string auth() {
  return std::string{"Authorization: Bearer "} + gateway_fixture::admin_key
         + "\r\n";
}

/// A sample's value in a Prometheus text body.
std::optional<double> sample(const std::string& body, const std::string& name) {
  auto at = body.find("\n" + name + " ");
  if (at == std::string::npos)
    return std::nullopt;
  return std::strtod(body.c_str() + at + name.size() + 2, nullptr);
}

/// A whole-number field of /sim/stats.
std::optional<double> sim_stat(gateway_fixture& gw, const std::string& field) {
  auto r = raw_exchange(gw.sim_port, request("GET", "/sim/stats", {}));
  simdjson::dom::parser p;
  std::uint64_t n = 0;
  if (parse(p, r.body)[field].get(n) != simdjson::SUCCESS)
    return std::nullopt;
  return static_cast<double>(n);
}

/// Asks `probe` until it says yes; the processes run on their own, so this
/// is a wait across processes, bounded by a deadline.
bool eventually(const std::function<bool()>& probe) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (std::chrono::steady_clock::now() < deadline)
    if (probe())
      return true;
  return probe();
}

/// A sim-upstream config in which gpt-4o-mini is slow (`slow` is its YAML
/// entry) and every other model of the default registry answers at once.
void write_slow_sim(const std::string& path, const std::string& slow) {
  std::ofstream f{path};
  f << "version: 1\nseed: 3\ntime_scale: 1\ndefaults:\n"
       "  latency_ms: 0\n  ttft_ms: 0\n  tokens_per_second: 0\n"
       "  output_tokens: 40\n  faults: {}\nmodels:\n";
  for (auto m : {"claude-opus-4-20250514", "claude-sonnet-4-20250514",
                 "claude-3-haiku-20240307", "gpt-5", "gpt-4o", "o1",
                 "o1-mini", "gemini-1.5-pro", "gemini-1.5-flash",
                 "mistral-large-2407", "mistral-small-2409",
                 "command-r-plus-08-2024", "command-r-03-2024", "qwen3:1.7b",
                 "qwen/qwen3-30b-a3b-2507", "mistralai/devstral-small-2507"})
    f << "  \"" << m << "\": {}\n";
  f << "  \"gpt-4o-mini\": " << slow << "\n";
}

const std::string global_reserved
  = "switchyard_budget_reserved_usd{scope=\"global\"}";
const std::string global_spent = "switchyard_budget_spent_usd{scope=\"global\"}";
const std::string cancelled_total = "switchyard_requests_cancelled_total";

} // namespace

TEST_CASE("a streaming client that disconnects after the first chunk "
          "cancels the upstream stream and releases its reservation",
          "[gateway][cancel]") {
  scratch_dir dir{"disconnect-stream"};
  std::filesystem::create_directories(dir.path);
  auto sim_config = dir.path + "/sim.yaml";
  // 300 tokens at 10 a second: a 30 s stream.
  write_slow_sim(sim_config, "{tokens_per_second: 10, output_tokens: 300}");
  gateway_fixture gw{{"--config", sim_config}, {"--global-budget", "100"}};
  auto started = std::chrono::steady_clock::now();
  open_request client{
    gw.port,
    request("POST", "/v1/chat/completions",
            R"({"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"write a long story"}]})",
            auth())};
  auto head = client.read_until("\"delta\":{\"content\":");
  CHECK_THAT(head, Catch::StartsWith("HTTP/1.1 200"));
  client.close_now();

  // The simulator sees the gateway's connection close mid-stream (a stream
  // it ends itself is never counted).
  CHECK(eventually([&] { return sim_stat(gw, "abandoned") == 1.0; }));
  std::string metrics;
  CHECK(eventually([&] {
    metrics = gw.call("GET", "/metrics").body;
    return sample(metrics, cancelled_total) == 1.0
           && sample(metrics, global_reserved) == 0.0;
  }));
  INFO(metrics);
  // What the upstream had read (the prompt) and streamed is paid for.
  auto spent = sample(metrics, global_spent);
  REQUIRE(spent);
  CHECK(*spent > 0.0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds{30});
  CHECK_THAT(metrics, Catch::Contains("status=\"499\""));
}

TEST_CASE("a client that disconnects before a plain answer cancels the "
          "upstream call and releases its reservation",
          "[gateway][cancel]") {
  scratch_dir dir{"disconnect-plain"};
  std::filesystem::create_directories(dir.path);
  auto sim_config = dir.path + "/sim.yaml";
  // The answer would come after 30 s.
  write_slow_sim(sim_config, "{latency_ms: 30000}");
  gateway_fixture gw{{"--config", sim_config}, {"--global-budget", "100"}};
  open_request client{
    gw.port, request("POST", "/v1/messages",
                     R"({"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"say hello"}]})",
                     auth())};
  // Disconnect once the simulator holds the call, with money reserved.
  REQUIRE(eventually([&] { return sim_stat(gw, "requests") >= 1.0; }));
  auto before = gw.call("GET", "/metrics").body;
  INFO(before);
  auto reserved = sample(before, global_reserved);
  REQUIRE(reserved);
  CHECK(*reserved > 0.0);
  client.close_now();

  CHECK(eventually([&] { return sim_stat(gw, "abandoned") == 1.0; }));
  std::string metrics;
  CHECK(eventually([&] {
    metrics = gw.call("GET", "/metrics").body;
    return sample(metrics, cancelled_total) == 1.0
           && sample(metrics, global_reserved) == 0.0;
  }));
  INFO(metrics);
  // The gateway still answers others at once.
  auto r = gw.chat(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})");
  CHECK(r.status == 200);
  CHECK(sample(gw.call("GET", "/metrics").body, cancelled_total) == 1.0);
}

TEST_CASE("a provider with its slots and queue full gets 429 with "
          "Retry-After, in each API's error shape",
          "[gateway][admission]") {
  scratch_dir dir{"queue-full"};
  std::filesystem::create_directories(dir.path);
  auto sim_config = dir.path + "/sim.yaml";
  write_slow_sim(sim_config, "{latency_ms: 30000}");
  // One provider, one call at a time, no queue.
  auto registry = dir.path + "/registry.yaml";
  {
    std::ofstream f{registry};
    f << "version: 1\n"
         "providers:\n"
         "  openai:\n"
         "    kind: openai\n"
         "    base_url: ${OPENAI_BASE_URL}\n"
         "    api_key_env: OPENAI_API_KEY\n"
         "    max_concurrency: 1\n"
         "    max_queued: 0\n"
         "models:\n"
         "  - id: gpt-4o-mini\n"
         "    provider: openai\n"
         "    upstream: gpt-4o-mini\n"
         "    quality: 0.82\n"
         "    cost_per_1k: {input: 0.00015, output: 0.0006}\n"
         "    context_window: 128000\n"
         "    p50_latency_ms: 400\n"
         "    tokens_per_second: 90\n"
         "    capabilities: [tools, json, streaming]\n";
  }
  gateway_fixture gw{{"--config", sim_config}, {"--config", registry}};
  const std::string body
    = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"say hello"}]})";
  open_request holder{gw.port,
                      request("POST", "/v1/chat/completions", body, auth())};
  REQUIRE(eventually([&] { return sim_stat(gw, "requests") >= 1.0; }));

  simdjson::dom::parser p;
  SECTION("OpenAI's shape, plain and streamed") {
    auto r = gw.chat(body);
    INFO(r.body);
    CHECK(r.status == 429);
    CHECK(r.headers["retry-after"] == "1");
    auto doc = parse(p, r.body);
    std::string_view type;
    std::string_view code;
    REQUIRE(doc["error"]["type"].get(type) == simdjson::SUCCESS);
    REQUIRE(doc["error"]["code"].get(code) == simdjson::SUCCESS);
    CHECK(type == "rate_limit_error");
    CHECK(code == "rate_limit_exceeded");
    auto streamed = gw.chat(
      R"({"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"say hello"}]})");
    CHECK(streamed.status == 429);
    CHECK(streamed.headers["retry-after"] == "1");
  }
  SECTION("Anthropic's shape") {
    auto r = gw.call(
      "POST", "/v1/messages",
      R"({"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"say hello"}]})");
    INFO(r.body);
    CHECK(r.status == 429);
    CHECK(r.headers["retry-after"] == "1");
    auto doc = parse(p, r.body);
    std::string_view outer;
    std::string_view type;
    REQUIRE(doc["type"].get(outer) == simdjson::SUCCESS);
    REQUIRE(doc["error"]["type"].get(type) == simdjson::SUCCESS);
    CHECK(outer == "error");
    CHECK(type == "rate_limit_error");
  }
  // The refused calls never reached the upstream.
  CHECK(sim_stat(gw, "requests") == 1.0);
}
