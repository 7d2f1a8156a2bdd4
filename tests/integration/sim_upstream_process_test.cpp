// The real `switchyard sim-upstream` process, on port 0, called through the
// provider adapters over loopback.
#include "child_process.hpp"
#include "switchyard/http/http_client.hpp"
#include "switchyard/providers/make_provider_client.hpp"

#include <algorithm>
#include <fstream>
#include <future>
#include <simdjson.h>

using namespace switchyard;
using namespace switchyard::testing;
using engine::call_error;
using engine::provider_kind;

namespace {

constexpr std::chrono::seconds wait_limit{20};

/// One model per wire format, one always rate-limited, one that fails half
/// the time (for determinism), and one not listed until a test lists it.
const std::string config_yaml = R"(version: 1
seed: 1
time_scale: 0
defaults:
  output_tokens: {min: 4, max: 9}
models:
  gpt-4o-mini: {}
  claude-3-haiku-20240307: {}
  gemini-1.5-flash: {}
  command-r-03-2024: {}
  "qwen3:1.7b": {}
  limited:
    retry_after_s: 3
    faults: {http_429: 1.0}
  flaky:
    faults: {http_500: 0.5}
  late:
    listed: false
)";

std::string write_config() {
  auto path = "/tmp/switchyard-sim-test-" + std::to_string(getpid()) + ".yaml";
  std::ofstream{path} << config_yaml;
  return path;
}

/// A running sim-upstream and the port it printed.
struct sim_process {
  explicit sim_process(std::uint64_t seed)
      : process({SWITCHYARD_BINARY, "sim-upstream", "--config", write_config(),
                 "--listen", "127.0.0.1:0", "--seed", std::to_string(seed)}) {
    auto line = process.read_line();
    REQUIRE(line);
    const std::string prefix = "listening on 127.0.0.1:";
    REQUIRE(line->substr(0, prefix.size()) == prefix);
    port = static_cast<std::uint16_t>(std::stoi(line->substr(prefix.size())));
    REQUIRE(port != 0);
  }

  child_process process;
  std::uint16_t port = 0;
};

struct model_case {
  provider_kind kind;
  std::string path;
  std::string upstream;
};

const std::vector<model_case> cases{
  {provider_kind::openai, "/v1", "gpt-4o-mini"},
  {provider_kind::anthropic, "", "claude-3-haiku-20240307"},
  {provider_kind::gemini, "/v1beta", "gemini-1.5-flash"},
  {provider_kind::cohere, "/v2", "command-r-03-2024"},
  {provider_kind::ollama, "", "qwen3:1.7b"},
};

struct adapters {
  adapters(std::uint16_t port) {
    std::string why;
    http = http::http_client::make({}, why);
    REQUIRE(http);
    for (const auto& c : cases) {
      engine::provider_spec p;
      p.id = std::string{engine::to_string(c.kind)};
      p.kind = c.kind;
      p.base_url = "http://127.0.0.1:" + std::to_string(port) + c.path;
      reg.providers.push_back(p);
      for (const auto& name :
           {c.upstream, std::string{"limited"}, std::string{"flaky"},
            std::string{"late"}}) {
        engine::model_spec m;
        m.id = p.id + "/" + name;
        m.provider = p.id;
        m.upstream = name;
        m.cost_per_1k_output = 0.01;
        reg.models.push_back(m);
      }
    }
    for (const auto& p : reg.providers) {
      auto client = providers::make_provider_client(p, reg, *http, {});
      REQUIRE(client);
      clients.push_back(std::move(*client));
    }
  }

  engine::call_result call(std::size_t index, const std::string& upstream,
                           bool stream) {
    engine::call_request req;
    req.model = reg.providers[index].id + "/" + upstream;
    req.upstream_model = upstream;
    req.messages = {engine::chat_message::make(
      engine::message_role::user, "Write a haiku about loopback.")};
    req.timeouts = {std::chrono::seconds{15}, std::chrono::seconds{15},
                    std::chrono::seconds{18}};
    auto promise = std::make_shared<std::promise<engine::call_result>>();
    auto future = promise->get_future();
    auto done = [promise](engine::call_result r) {
      promise->set_value(std::move(r));
    };
    if (stream)
      clients[index]->stream(req, {}, done);
    else
      clients[index]->call(req, done);
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    return future.get();
  }

  /// The models client `index` reads from its listing.
  std::vector<std::string> listed(std::size_t index) {
    auto promise = std::make_shared<std::promise<engine::model_listing>>();
    auto future = promise->get_future();
    clients[index]->list_models(std::chrono::seconds{5},
                                [promise](engine::model_listing r) {
                                  promise->set_value(std::move(r));
                                });
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    auto r = future.get();
    INFO(r.error_message);
    REQUIRE(r.http_status == 200);
    return r.models;
  }

  /// A raw request to the simulator.
  http::client_response send(std::uint16_t port, std::string method,
                             std::string target, std::string body = {}) {
    std::promise<http::client_response> promise;
    auto future = promise.get_future();
    http::response_callbacks cb;
    cb.on_done = [&promise](http::client_response r) {
      promise.set_value(std::move(r));
    };
    http::client_request req{std::move(method), std::move(target), {},
                             std::move(body)};
    http->send({false, "127.0.0.1", port}, std::move(req), {}, std::move(cb));
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    auto r = future.get();
    REQUIRE(r.ok());
    return r;
  }

  engine::registry reg;
  std::unique_ptr<http::http_client> http;
  std::vector<std::shared_ptr<providers::provider_client>> clients;
};

} // namespace

TEST_CASE("sim-upstream serves every wire format on one port",
          "[integration]") {
  sim_process sim{11};
  adapters a{sim.port};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    for (bool stream : {false, true}) {
      INFO(engine::to_string(cases[i].kind) << (stream ? " stream" : ""));
      auto r = a.call(i, cases[i].upstream, stream);
      INFO(r.error_message);
      REQUIRE(r.ok());
      CHECK_FALSE(r.text.empty());
      CHECK(r.output_tokens >= 4);
      CHECK(r.output_tokens <= 9);
      CHECK(r.cost_nanos == r.output_tokens * 10'000);
    }
    auto limited = a.call(i, "limited", false);
    CHECK(limited.error == call_error::rate_limited);
    REQUIRE(limited.retry_after);
    CHECK(*limited.retry_after == std::chrono::seconds{3});
  }

  auto get = [&](std::string target) {
    std::promise<http::client_response> promise;
    auto future = promise.get_future();
    http::response_callbacks cb;
    cb.on_done = [&promise](http::client_response r) {
      promise.set_value(std::move(r));
    };
    a.http->send({false, "127.0.0.1", sim.port},
                 {"GET", std::move(target), {}, {}}, {}, std::move(cb));
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    auto r = future.get();
    REQUIRE(r.ok());
    REQUIRE(r.status == 200);
    return r;
  };
  // The newest request, as received: Ollama's call to the limited model.
  auto newest = get("/sim/requests?limit=1").body;
  CHECK(newest.find(R"("seq":15,"format":"ollama","model":"limited",)"
                    R"("path":"/api/chat","body":{)")
        != std::string::npos);

  // The stats endpoint counts what happened.
  auto stats = get("/sim/stats");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(stats.body).get(doc) == simdjson::SUCCESS);
  std::uint64_t n = 0;
  REQUIRE(doc["requests"].get(n) == simdjson::SUCCESS);
  CHECK(n == 15);
  REQUIRE(doc["models"]["limited"]["http_429"].get(n) == simdjson::SUCCESS);
  CHECK(n == 5);
  REQUIRE(doc["models"]["gpt-4o-mini"]["ok"].get(n) == simdjson::SUCCESS);
  CHECK(n == 2);
  REQUIRE(doc["formats"]["gemini"].get(n) == simdjson::SUCCESS);
  CHECK(n == 3);

  CHECK(sim.process.stop(SIGTERM) == 0);
  CHECK(sim.process.err().find("stopped (SIGTERM)") != std::string::npos);
}

// Only the simulator's own faults count: every other failure (a client
// timeout on a loaded machine, say) fails the test by name instead of
// reading as a fault, and the client's deadlines are far beyond any load.
TEST_CASE("sim-upstream is deterministic under --seed", "[integration]") {
  auto outcomes = [](std::uint64_t seed) {
    sim_process sim{seed};
    adapters a{sim.port};
    std::string seen;
    // Alternate formats: the Nth request to a model decides, whatever the
    // path it came by.
    for (std::size_t i = 0; i < 24; ++i) {
      auto r = a.call(i % cases.size(), "flaky", i % 2 == 0);
      if (!r.ok()) {
        INFO(r.error_message);
        REQUIRE(r.http_status == 500);
      }
      seen += r.ok() ? ("ok:" + r.text) : std::string{"500"};
      seen += '|';
    }
    CHECK(sim.process.stop(SIGINT) == 0);
    return seen;
  };
  auto first = outcomes(5);
  CHECK(first.find("500") != std::string::npos);
  CHECK(first.find("ok:") != std::string::npos);
  CHECK(outcomes(5) == first);
  CHECK(outcomes(6) != first);
}

TEST_CASE("sim-upstream lists a model once told to, and then answers it",
          "[integration]") {
  sim_process sim{11};
  adapters a{sim.port};
  auto has_late = [](const std::vector<std::string>& names) {
    return std::find(names.begin(), names.end(), "late") != names.end();
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO(engine::to_string(cases[i].kind));
    auto names = a.listed(i);
    CHECK(std::find(names.begin(), names.end(), cases[i].upstream)
          != names.end());
    CHECK_FALSE(has_late(names));
    auto refused = a.call(i, "late", false);
    CHECK(refused.http_status == 404);
    CHECK(refused.error == call_error::client_error);
  }
  auto listed = a.send(sim.port, "POST", "/sim/models", R"({"name":"late"})");
  CHECK(listed.status == 200);
  CHECK(listed.body.find(R"("listed":true)") != std::string::npos);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO(engine::to_string(cases[i].kind));
    CHECK(has_late(a.listed(i)));
    auto r = a.call(i, "late", i % 2 == 0);
    INFO(r.error_message);
    CHECK(r.ok());
    CHECK_FALSE(r.text.empty());
  }
  CHECK(a.send(sim.port, "DELETE", "/sim/models/late").status == 200);
  CHECK_FALSE(has_late(a.listed(cases.size() - 1)));
  CHECK(a.call(cases.size() - 1, "late", false).http_status == 404);
  CHECK(sim.process.stop(SIGTERM) == 0);
}

TEST_CASE("sim-upstream refuses bad flags and configs", "[integration]") {
  {
    child_process p{{SWITCHYARD_BINARY, "sim-upstream", "--listen", "nowhere"}};
    CHECK(p.wait_exit() == 2);
    CHECK(p.err().find("HOST:PORT") != std::string::npos);
  }
  {
    auto path = "/tmp/switchyard-sim-bad-" + std::to_string(getpid()) + ".yaml";
    std::ofstream{path} << "models:\n  m:\n    faults: {http_500: 2}\n";
    child_process p{{SWITCHYARD_BINARY, "sim-upstream", "--config", path}};
    CHECK(p.wait_exit() == 2);
    CHECK(p.err().find(path + ":3: models.m.faults.http_500")
          != std::string::npos);
  }
  {
    child_process p{{SWITCHYARD_BINARY, "sim-upstream", "--help"}};
    CHECK(p.wait_exit() == 0);
    for (auto text : {"--zero-delay", "--max-body-bytes", "tool_call_rate",
                      "GET /api/tags", "GET /v1beta/models", "GET /v1/models",
                      "POST /sim/models", "DELETE /sim/models/M",
                      "GET /sim/requests", "listed: false"}) {
      INFO(text);
      CHECK(p.out().find(text) != std::string::npos);
    }
  }
}
