// Issue 17, first contact: the real `switchyard serve` over the real
// `switchyard sim-upstream`, with the environment a new user has (one key,
// maybe no local server), on loopback and port 0.
#include "child_process.hpp"
#include "switchyard/http/header.hpp"
#include "switchyard/http/http_client.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <netinet/in.h>
#include <set>
#include <simdjson.h>
#include <sys/socket.h>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

constexpr std::chrono::seconds wait_limit{20};

/// config/models.yaml in the source tree. __FILE__ is relative to the
/// build directory when the build passes relative paths (Ninja does), and
/// the binary is <build>/cli/switchyard.
std::string registry_path() {
  std::filesystem::path here{__FILE__};
  if (here.is_relative())
    here = std::filesystem::path{SWITCHYARD_BINARY}.parent_path().parent_path()
           / here;
  return (here.parent_path() / ".." / ".." / "config" / "models.yaml")
    .lexically_normal()
    .string();
}

/// config/models.yaml: the models of the providers a test may route to.
const std::set<std::string> openai_models{"gpt-5", "gpt-4o", "gpt-4o-mini",
                                          "o1", "o1-mini"};
const std::set<std::string> local_models{
  "qwen3:1.7b", "qwen/qwen3-30b-a3b-2507", "mistralai/devstral-small-2507"};
/// config/models.yaml: the enabled models of the providers with a key
/// variable that the tests leave unset.
const std::vector<std::string> keyless_models{
  "claude-opus-4",   "claude-sonnet-4", "claude-haiku-4", "gemini-pro-1.5",
  "gemini-flash-1.5", "mistral-large-2", "mistral-small-2", "command-r-plus",
  "command-r"};

/// A scratch directory, removed at the end.
struct temp_dir {
  temp_dir() {
    std::string pattern = "/tmp/switchyard-first-contact-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  std::string path;
};

/// Every upstream name of config/models.yaml, without delays or faults;
/// qwen3:1.7b (the Ollama model) unlisted when `hide_qwen`.
std::string sim_config(bool hide_qwen) {
  std::string yaml = R"(version: 1
seed: 1
time_scale: 0
defaults:
  output_tokens: {min: 4, max: 9}
models:
  claude-opus-4-20250514: {}
  claude-sonnet-4-20250514: {}
  claude-3-haiku-20240307: {}
  gpt-5: {}
  gpt-4o: {}
  gpt-4o-mini: {}
  o1: {}
  o1-mini: {}
  gemini-2.0-flash-thinking-exp-01-21: {}
  gemini-1.5-pro: {}
  gemini-1.5-flash: {}
  mistral-large-2407: {}
  mistral-small-2409: {}
  command-r-plus-08-2024: {}
  command-r-03-2024: {}
  meta-llama/llama-3.1-70b-instruct: {}
  qwen/qwen3-30b-a3b-2507: {}
  mistralai/devstral-small-2507: {}
)";
  yaml += hide_qwen ? "  \"qwen3:1.7b\": {listed: false}\n"
                    : "  \"qwen3:1.7b\": {}\n";
  return yaml;
}

std::uint16_t read_port(child_process& p) {
  auto line = p.read_line(wait_limit);
  REQUIRE(line);
  const std::string prefix = "listening on 127.0.0.1:";
  REQUIRE(line->substr(0, prefix.size()) == prefix);
  auto port = static_cast<std::uint16_t>(std::stoi(line->substr(prefix.size())));
  REQUIRE(port != 0);
  return port;
}

struct sim_process {
  sim_process(const temp_dir& dir, bool hide_qwen)
      : process({SWITCHYARD_BINARY, "sim-upstream", "--config",
                 write(dir, hide_qwen), "--listen", "127.0.0.1:0"}) {
    port = read_port(process);
  }

  static std::string write(const temp_dir& dir, bool hide_qwen) {
    auto path = dir.path + "/sim.yaml";
    std::ofstream{path} << sim_config(hide_qwen);
    return path;
  }

  child_process process;
  std::uint16_t port = 0;
};

/// A loopback port that refuses connections: bound, never listening, held
/// for the test's duration so nobody else takes it.
struct closed_port {
  closed_port() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
  ~closed_port() {
    close(fd);
  }
  closed_port(const closed_port&) = delete;
  closed_port& operator=(const closed_port&) = delete;

  int fd = -1;
  std::uint16_t port = 0;
};

/// The environment of a new user: only OPENAI_API_KEY, every base URL at
/// the simulator, the local ones at `local_url` (the simulator unless set).
std::vector<std::string> user_env(std::uint16_t sim,
                                  const std::string& local_url = {}) {
  auto at = "http://127.0.0.1:" + std::to_string(sim);
  auto local = local_url.empty() ? at : local_url;
  return {"OPENAI_API_KEY=sk-first-contact",
          "OPENAI_BASE_URL=" + at + "/v1",
          "MISTRAL_BASE_URL=" + at + "/v1",
          "OPENROUTER_BASE_URL=" + at + "/v1",
          "ANTHROPIC_BASE_URL=" + at,
          "GEMINI_BASE_URL=" + at + "/v1beta",
          "COHERE_BASE_URL=" + at + "/v2",
          "OLLAMA_BASE_URL=" + local,
          "LMSTUDIO_BASE_URL=" + local + "/v1"};
}

/// `switchyard args...` under exactly `env` (env -i), its stderr in a file:
/// the gateway logs every request there, and a pipe nobody reads would
/// stall it.
std::vector<std::string> command(const std::vector<std::string>& env,
                                 const std::string& err_file,
                                 const std::vector<std::string>& args) {
  std::vector<std::string> out{"/usr/bin/env", "-i", "ERR_FILE=" + err_file};
  out.insert(out.end(), env.begin(), env.end());
  out.insert(out.end(), {"/bin/sh", "-c", R"(exec "$0" "$@" 2>"$ERR_FILE")",
                         SWITCHYARD_BINARY});
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

struct gateway_process {
  gateway_process(const temp_dir& dir, const std::vector<std::string>& env,
                  std::vector<std::string> extra = {})
      : err_file(dir.path + "/serve.err"),
        process(command(env, err_file, serve_args(dir, std::move(extra)))) {
    port = read_port(process);
  }

  static std::vector<std::string> serve_args(const temp_dir& dir,
                                             std::vector<std::string> extra) {
    std::vector<std::string> out{"serve",      "--listen",
                                 "127.0.0.1:0", "--no-auth",
                                 "--data-dir", dir.path + "/data",
                                 "--probe-interval", "0.2"};
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
  }

  /// Stops the gateway; returns what it wrote on stderr.
  std::string stop() {
    CHECK(process.stop(SIGTERM) == 0);
    return read_file(err_file);
  }

  std::string err_file;
  child_process process;
  std::uint16_t port = 0;
};

struct client {
  client() {
    std::string why;
    http = http::http_client::make({}, why);
    REQUIRE(http);
  }

  http::client_response send(std::uint16_t port, std::string method,
                             std::string target, std::string body = {}) {
    auto promise = std::make_shared<std::promise<http::client_response>>();
    auto future = promise->get_future();
    http::response_callbacks cb;
    cb.on_done = [promise](http::client_response r) {
      promise->set_value(std::move(r));
    };
    http::header_list headers;
    if (!body.empty())
      headers.push_back({"content-type", "application/json"});
    http->send({false, "127.0.0.1", port},
               {std::move(method), std::move(target), std::move(headers),
                std::move(body)},
               {}, std::move(cb));
    REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
    auto r = future.get();
    INFO(r.error_detail);
    REQUIRE(r.ok());
    return r;
  }

  /// `send` without assertions, for a poll loop: nullopt when it failed.
  std::optional<http::client_response> try_get(std::uint16_t port,
                                               std::string target) {
    auto promise = std::make_shared<std::promise<http::client_response>>();
    auto future = promise->get_future();
    http::response_callbacks cb;
    cb.on_done = [promise](http::client_response r) {
      promise->set_value(std::move(r));
    };
    http->send({false, "127.0.0.1", port}, {"GET", std::move(target), {}, {}},
               {}, std::move(cb));
    if (future.wait_for(wait_limit) != std::future_status::ready)
      return std::nullopt;
    auto r = future.get();
    if (!r.ok())
      return std::nullopt;
    return r;
  }

  http::client_response chat(std::uint16_t port, const std::string& model,
                             const std::string& text) {
    std::string body = R"({"model":")" + model
                       + R"(","messages":[{"role":"user","content":")" + text
                       + R"("}]})";
    return send(port, "POST", "/v1/chat/completions", std::move(body));
  }

  std::unique_ptr<http::http_client> http;
};

std::string header(const http::client_response& r, std::string_view name) {
  auto v = http::find_header(r.headers, name);
  return v ? std::string{*v} : std::string{};
}

/// filtered_out of the decision's last round: model -> {reason, detail}.
std::map<std::string, std::pair<std::string, std::string>>
filtered_out(client& c, std::uint16_t port, const std::string& decision_id) {
  REQUIRE_FALSE(decision_id.empty());
  auto r = c.send(port, "GET", "/v1/decisions/" + decision_id);
  INFO(r.body);
  REQUIRE(r.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array rounds;
  REQUIRE(doc["rounds"].get(rounds) == simdjson::SUCCESS);
  REQUIRE(rounds.size() > 0);
  simdjson::dom::array filtered;
  REQUIRE(rounds.at(rounds.size() - 1)["decision"]["filtered_out"].get(filtered)
          == simdjson::SUCCESS);
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (auto f : filtered) {
    std::string_view model;
    std::string_view reason;
    std::string_view detail;
    REQUIRE(f["model"].get(model) == simdjson::SUCCESS);
    REQUIRE(f["reason"].get(reason) == simdjson::SUCCESS);
    REQUIRE(f["detail"].get(detail) == simdjson::SUCCESS);
    out[std::string{model}] = {std::string{reason}, std::string{detail}};
  }
  return out;
}

/// The model ids GET /v1/models lists.
std::vector<std::string> listed_models(client& c, std::uint16_t port) {
  auto r = c.send(port, "GET", "/v1/models");
  REQUIRE(r.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array data;
  REQUIRE(doc["data"].get(data) == simdjson::SUCCESS);
  std::vector<std::string> out;
  for (auto m : data) {
    std::string_view id;
    REQUIRE(m["id"].get(id) == simdjson::SUCCESS);
    out.emplace_back(id);
  }
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

TEST_CASE("with only an OpenAI key every demo task is answered by OpenAI or "
          "a local model",
          "[integration][first_contact]") {
  temp_dir dir;
  sim_process sim{dir, false};
  gateway_process gw{dir, user_env(sim.port)};
  client c;

  std::string long_context = "Summarise the following log. ";
  while (long_context.size() < 100 * 1024)
    long_context += "The quick brown fox jumps over the lazy dog again. ";
  const std::vector<std::string> tasks{
    "Write a fibonacci function",
    "Review this pull request diff for bugs",
    "Design the architecture of a distributed queue",
    "Prove that the square root of 2 is irrational",
    "say hello",
    long_context};
  for (const auto& task : tasks) {
    INFO(task.substr(0, 60));
    auto r = c.chat(gw.port, "auto", task);
    INFO(r.body);
    CHECK(r.status == 200);
    auto model = header(r, "x-switchyard-model");
    INFO("answered by " << model);
    CHECK((openai_models.count(model) + local_models.count(model)) == 1);

    auto filtered = filtered_out(c, gw.port,
                                 header(r, "x-switchyard-decision-id"));
    for (const auto& m : keyless_models) {
      INFO(m);
      auto it = filtered.find(m);
      REQUIRE(it != filtered.end());
      CHECK(it->second.first == "unavailable");
      CHECK(it->second.second.rfind("no credentials", 0) == 0);
    }
    // OpenAI's models may be filtered for the task (capability, budget),
    // never as unavailable.
    for (const auto& m : openai_models) {
      INFO(m);
      auto it = filtered.find(m);
      if (it != filtered.end())
        CHECK(it->second.first != "unavailable");
    }
  }

  auto ready = c.send(gw.port, "GET", "/readyz");
  CHECK(ready.status == 200);
  auto err = gw.stop();
  INFO(err);
  CHECK(err.find("OPENAI_API_KEY set") != std::string::npos);
  CHECK(err.find("ANTHROPIC_API_KEY missing") != std::string::npos);
}

TEST_CASE("with no local server the first request pays no connection retries",
          "[integration][first_contact]") {
  temp_dir dir;
  sim_process sim{dir, false};
  closed_port local;
  gateway_process gw{dir, user_env(sim.port, "http://127.0.0.1:"
                                               + std::to_string(local.port))};
  client c;

  // "say hello" is a general task: local-first would try Ollama/LM Studio.
  auto r = c.chat(gw.port, "auto", "say hello");
  INFO(r.body);
  CHECK(r.status == 200);
  auto model = header(r, "x-switchyard-model");
  INFO("answered by " << model);
  CHECK(openai_models.count(model) == 1);
  CHECK(header(r, "x-switchyard-attempts") == "1");
  CHECK(header(r, "x-switchyard-retries") == "0");

  auto filtered = filtered_out(c, gw.port,
                               header(r, "x-switchyard-decision-id"));
  for (const auto& m : local_models) {
    INFO(m);
    auto it = filtered.find(m);
    REQUIRE(it != filtered.end());
    CHECK(it->second.first == "unavailable");
  }
  auto listed = listed_models(c, gw.port);
  for (const auto& m : local_models)
    CHECK_FALSE(contains(listed, m));
  CHECK(contains(listed, "gpt-4o-mini"));
}

TEST_CASE("a local server serving some registry models: only those are "
          "routed to, and a model that appears later becomes routable",
          "[integration][first_contact]") {
  temp_dir dir;
  sim_process sim{dir, true};
  gateway_process gw{dir, user_env(sim.port)};
  client c;

  auto listed = listed_models(c, gw.port);
  CHECK_FALSE(contains(listed, "qwen3:1.7b"));
  CHECK(contains(listed, "qwen/qwen3-30b-a3b-2507"));
  CHECK(contains(listed, "auto"));

  auto refused = c.chat(gw.port, "qwen3:1.7b", "say hello");
  INFO(refused.body);
  CHECK(refused.status == 404);
  CHECK(refused.body.find(R"("code":"model_not_available")")
        != std::string::npos);
  auto routed = c.chat(gw.port, "auto", "say hello");
  CHECK(routed.status == 200);
  CHECK(header(routed, "x-switchyard-model") != "qwen3:1.7b");
  auto filtered = filtered_out(c, gw.port,
                               header(routed, "x-switchyard-decision-id"));
  REQUIRE(filtered.count("qwen3:1.7b") == 1);
  CHECK(filtered["qwen3:1.7b"].first == "unavailable");
  CHECK(filtered.count("qwen/qwen3-30b-a3b-2507") == 0);

  auto added = c.send(sim.port, "POST", "/sim/models",
                      R"({"name":"qwen3:1.7b"})");
  CHECK(added.status == 200);
  // The next probe round (--probe-interval 0.2) finds it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  bool appeared = false;
  int polls = 0;
  auto started = std::chrono::steady_clock::now();
  while (!appeared && std::chrono::steady_clock::now() < deadline) {
    ++polls;
    auto r = c.try_get(gw.port, "/v1/models");
    appeared = r && r->status == 200
               && r->body.find(R"("id":"qwen3:1.7b")") != std::string::npos;
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - started);
  INFO(polls << " polls in " << took.count() << " ms");
  REQUIRE(appeared);
  CHECK(contains(listed_models(c, gw.port), "qwen3:1.7b"));
  // Within a few probe intervals of 0.2 s (jitter, a loaded machine).
  CHECK(took < std::chrono::seconds{3});

  auto answered = c.chat(gw.port, "qwen3:1.7b", "say hello");
  INFO(answered.body);
  CHECK(answered.status == 200);
  CHECK(header(answered, "x-switchyard-model") == "qwen3:1.7b");
}

TEST_CASE("forcing a model whose provider has no key names the variable",
          "[integration][first_contact]") {
  temp_dir dir;
  sim_process sim{dir, false};
  gateway_process gw{dir, user_env(sim.port)};
  client c;

  auto r = c.chat(gw.port, "claude-sonnet-4", "say hello");
  INFO(r.body);
  CHECK(r.status == 404);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  std::string_view code;
  std::string_view message;
  REQUIRE(doc["error"]["code"].get(code) == simdjson::SUCCESS);
  REQUIRE(doc["error"]["message"].get(message) == simdjson::SUCCESS);
  CHECK(code == "model_not_available");
  CHECK(message.find("ANTHROPIC_API_KEY") != std::string_view::npos);

  // No chat call reached the simulator (its probes are listings, counted
  // apart).
  auto stats = c.send(sim.port, "GET", "/sim/stats");
  simdjson::dom::element sdoc;
  REQUIRE(parser.parse(stats.body).get(sdoc) == simdjson::SUCCESS);
  std::uint64_t n = 1;
  REQUIRE(sdoc["requests"].get(n) == simdjson::SUCCESS);
  CHECK(n == 0);
  REQUIRE(sdoc["formats"]["anthropic"].get(n) == simdjson::SUCCESS);
  CHECK(n == 0);
}

TEST_CASE("config check prints the provider table, --probe reports an "
          "unreachable provider",
          "[integration][first_contact]") {
  temp_dir dir;
  closed_port local;
  auto err_file = dir.path + "/check.err";
  {
    child_process p{command({}, err_file,
                            {"config", "check", registry_path()})};
    CHECK(p.wait_exit() == 0);
    auto out = p.out() + read_file(err_file);
    INFO(out);
    for (auto text : {"provider", "kind", "base url", "key", "reachable",
                      "models", "ANTHROPIC_API_KEY missing",
                      "OPENAI_API_KEY missing", "(none needed)",
                      "not probed"}) {
      INFO(text);
      CHECK(out.find(text) != std::string::npos);
    }
  }
  {
    auto url = "http://127.0.0.1:" + std::to_string(local.port);
    child_process p{command({"OLLAMA_BASE_URL=" + url}, err_file,
                            {"config", "check", registry_path(), "--probe"})};
    CHECK(p.wait_exit() == 0);
    auto out = p.out() + read_file(err_file);
    INFO(out);
    // The ollama row: its URL, and "no" in the reachable column.
    auto row = out.find("\nollama ");
    REQUIRE(row != std::string::npos);
    auto line = out.substr(row + 1, out.find('\n', row + 1) - row - 1);
    INFO(line);
    CHECK(line.find(url) != std::string::npos);
    CHECK(line.find(" no ") != std::string::npos);
    CHECK(line.find("0/1 available") != std::string::npos);
    CHECK(out.find("warning: model 'qwen3:1.7b' cannot be routed: provider "
                   "'ollama' did not answer")
          != std::string::npos);
  }
}

// With --no-health-checks nothing is probed, but a provider whose key
// variable is unset is still never routed to: a missing key is
// configuration, not something a probe finds.
TEST_CASE("with health checks off a provider without its key is still "
          "never routed to",
          "[integration][first_contact]") {
  temp_dir dir;
  sim_process sim{dir, false};
  closed_port local;
  gateway_process gw{dir,
                     user_env(sim.port,
                              "http://127.0.0.1:" + std::to_string(local.port)),
                     {"--no-health-checks"}};
  client c;
  auto r = c.chat(gw.port, "auto", "say hello");
  INFO(r.body);
  CHECK(r.status == 200);
  auto filtered = filtered_out(c, gw.port,
                               header(r, "x-switchyard-decision-id"));
  for (const auto& m : keyless_models) {
    INFO(m);
    auto it = filtered.find(m);
    REQUIRE(it != filtered.end());
    CHECK(it->second.first == "unavailable");
  }
}

TEST_CASE("413 and 431 from the gateway have the API's own JSON body",
          "[integration][first_contact]") {
  temp_dir dir;
  sim_process sim{dir, false};
  gateway_process gw{dir, user_env(sim.port),
                     {"--max-body-bytes", "65536"}};
  client c;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string big = R"({"model":"auto","max_tokens":16,"messages":[{"role":"user","content":")"
                    + std::string(70'000, 'a') + R"("}]})";
  std::string_view s;

  // OpenAI's shape on /v1/chat/completions.
  auto r = c.send(gw.port, "POST", "/v1/chat/completions", big);
  INFO(r.body);
  CHECK(r.status == 413);
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  REQUIRE(doc["error"]["code"].get(s) == simdjson::SUCCESS);
  CHECK(s == "request_too_large");
  REQUIRE(doc["error"]["message"].get(s) == simdjson::SUCCESS);
  CHECK_FALSE(s.empty());

  // Anthropic's on /v1/messages.
  r = c.send(gw.port, "POST", "/v1/messages", big);
  INFO(r.body);
  CHECK(r.status == 413);
  REQUIRE(parser.parse(r.body).get(doc) == simdjson::SUCCESS);
  REQUIRE(doc["type"].get(s) == simdjson::SUCCESS);
  CHECK(s == "error");
  REQUIRE(doc["error"]["type"].get(s) == simdjson::SUCCESS);
  CHECK(s == "request_too_large");

  // Headers over 16 KiB: 431, as JSON.
  auto promise = std::make_shared<std::promise<http::client_response>>();
  auto future = promise->get_future();
  http::response_callbacks cb;
  cb.on_done = [promise](http::client_response x) {
    promise->set_value(std::move(x));
  };
  c.http->send({false, "127.0.0.1", gw.port},
               {"GET", "/v1/models", {{"x-padding", std::string(20'000, 'b')}},
                {}},
               {}, std::move(cb));
  REQUIRE(future.wait_for(wait_limit) == std::future_status::ready);
  auto h = future.get();
  INFO(h.body);
  REQUIRE(h.ok());
  CHECK(h.status == 431);
  REQUIRE(parser.parse(h.body).get(doc) == simdjson::SUCCESS);
  REQUIRE(doc["error"]["code"].get(s) == simdjson::SUCCESS);
  CHECK(s == "request_headers_too_large");
}
