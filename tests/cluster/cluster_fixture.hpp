#pragma once

// Real `switchyard serve` nodes forming a cluster on loopback (port 0), in
// front of one sim-upstream. Every wait polls an endpoint until a deadline.

#include "../gateway/gateway_fixture.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace switchyard::testing {

/// How long a test waits for the cluster to reach a state it must reach:
/// generous, because these tests assert that it happens, not how fast
/// (bench/cluster_bench.py measures that).
inline constexpr std::chrono::seconds settle_limit{30};

/// Runs `probe` until it returns true or `limit` passes; true when it did.
/// Every probe asks a node over HTTP and waits for its answer, so the
/// node's own round trips pace the loop: nothing sleeps, and a state that
/// comes is seen at the next answer.
inline bool eventually(std::chrono::milliseconds limit,
                       const std::function<bool()>& probe) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (probe())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
  }
}

inline std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos;
       pos = text.find(what, pos + what.size()))
    ++n;
  return n;
}

/// A JSON string field's value (first occurrence), or empty.
inline std::string string_field(const std::string& json,
                                const std::string& name) {
  auto key = "\"" + name + "\":\"";
  auto at = json.find(key);
  if (at == std::string::npos)
    return {};
  at += key.size();
  return json.substr(at, json.find('"', at) - at);
}

struct cluster_node_process {
  std::string id;
  std::unique_ptr<child_process> proc;
  std::uint16_t http_port = 0;
  std::uint16_t cluster_port = 0;
  std::string log_path;

  [[nodiscard]] std::string cluster_address() const {
    return "127.0.0.1:" + std::to_string(cluster_port);
  }

  http_reply call(const std::string& method, const std::string& path,
                  const std::string& body = {}) const {
    return raw_exchange(http_port, request(method, path, body),
                        std::chrono::seconds{5});
  }

  http_reply chat(const std::string& model, int max_tokens = 400) const {
    return call("POST", "/v1/chat/completions",
                R"({"model":")" + model + R"(","max_tokens":)"
                  + std::to_string(max_tokens)
                  + R"(,"messages":[{"role":"user","content":"Write a fibonacci function in python"}]})");
  }

  std::string route_model() const {
    auto r = call("POST", "/v1/route",
                  R"({"model":"auto","messages":[{"role":"user","content":"Write a fibonacci function in python"}]})");
    return string_field(r.body, "model");
  }

  std::string cluster() const {
    return call("GET", "/v1/cluster").body;
  }

  /// The node sees `n` members alive (itself included).
  bool sees_alive(std::size_t n) const {
    return count_of(cluster(), "\"state\":\"alive\"") == n;
  }

  /// Who owns the global budget, as this node sees it.
  std::string global_owner() const {
    auto body = cluster();
    auto at = body.find("\"scope\":\"global\"");
    if (at == std::string::npos)
      return {};
    auto member = body.rfind("{\"id\":\"", at);
    return string_field(body.substr(member), "id");
  }
};

struct cluster_fixture {
  std::unique_ptr<child_process> sim;
  std::uint16_t sim_port = 0;
  std::vector<std::string> serve_args;
  std::string tag = std::to_string(getpid());

  explicit cluster_fixture(std::vector<std::string> serve_extra = {},
                           const std::string& sim_config = {})
    : serve_args(std::move(serve_extra)) {
    std::vector<std::string> s{SWITCHYARD_BINARY, "sim-upstream", "--listen",
                               "127.0.0.1:0", "--seed", "7"};
    if (sim_config.empty()) {
      s.push_back("--zero-delay");
    } else {
      s.push_back("--config");
      s.push_back(sim_config);
    }
    sim = std::make_unique<child_process>(s);
    auto line = sim->read_line();
    REQUIRE(line);
    sim_port = gateway_fixture::port_of(*line);
    auto base = "http://127.0.0.1:" + std::to_string(sim_port);
    for (auto [var, suffix] :
         {std::pair{"OPENAI_BASE_URL", "/v1"}, {"MISTRAL_BASE_URL", "/v1"},
          {"LMSTUDIO_BASE_URL", "/v1"}, {"OPENROUTER_BASE_URL", "/v1"},
          {"ANTHROPIC_BASE_URL", ""}, {"GEMINI_BASE_URL", "/v1beta"},
          {"COHERE_BASE_URL", "/v2"}, {"OLLAMA_BASE_URL", ""}})
      setenv(var, (base + suffix).c_str(), 1);
    for (auto var : {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY",
                     "MISTRAL_API_KEY", "COHERE_API_KEY", "OPENROUTER_API_KEY"})
      setenv(var, "sk-upstream-test-key", 1);
  }

  /// Starts a node; its JSON-lines log goes to a file (a pipe nobody reads
  /// would fill up and stall it).
  cluster_node_process start_node(const std::string& id,
                                  const std::vector<std::string>& seeds,
                                  const std::vector<std::string>& extra = {}) {
    cluster_node_process n;
    n.id = id;
    n.log_path = "/tmp/switchyard-cluster-" + tag + "-" + id + ".log";
    std::string cmd = std::string{"exec "} + SWITCHYARD_BINARY
                      + " serve --no-auth --listen 127.0.0.1:0 --threads 1"
                        " --node-id "
                      + id + " --cluster-listen 127.0.0.1:0";
    if (!seeds.empty()) {
      cmd += " --cluster-seeds ";
      for (std::size_t i = 0; i < seeds.size(); ++i)
        cmd += (i ? "," : "") + seeds[i];
    }
    for (const auto& a : serve_args)
      cmd += " " + a;
    for (const auto& a : extra)
      cmd += " " + a;
    cmd += " 2>>" + n.log_path;
    n.proc = std::make_unique<child_process>(
      std::vector<std::string>{"/bin/sh", "-c", cmd});
    auto http_line = n.proc->read_line();
    REQUIRE(http_line);
    n.http_port = gateway_fixture::port_of(*http_line);
    auto cluster_line = n.proc->read_line();
    REQUIRE(cluster_line);
    REQUIRE(cluster_line->rfind("cluster listening on", 0) == 0);
    n.cluster_port = gateway_fixture::port_of(*cluster_line);
    return n;
  }

  /// a, then b and c seeded with a; waits until every node sees all three.
  std::vector<cluster_node_process> start_three() {
    std::vector<cluster_node_process> nodes;
    nodes.push_back(start_node("a", {}));
    nodes.push_back(start_node("b", {nodes[0].cluster_address()}));
    nodes.push_back(start_node("c", {nodes[0].cluster_address()}));
    for (auto& n : nodes)
      REQUIRE(eventually(settle_limit,
                         [&n] { return n.sees_alive(3); }));
    return nodes;
  }
};

/// Requests sent in a loop from a thread, each with when it started.
/// Counts the answers load threads receive, so that a test waits for the
/// next answer instead of polling.
struct answer_signal {
  std::mutex mutex;
  std::condition_variable arrived;
  std::uint64_t count = 0;

  void note() {
    {
      std::lock_guard<std::mutex> guard{mutex};
      ++count;
    }
    arrived.notify_all();
  }

  /// Runs `probe` now and after each answer until it returns true or
  /// `limit` passes; true when it did.
  bool until(std::chrono::milliseconds limit,
             const std::function<bool()>& probe) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    std::unique_lock<std::mutex> guard{mutex};
    for (;;) {
      auto seen = count;
      guard.unlock();
      bool done = probe();
      guard.lock();
      if (done)
        return true;
      if (!arrived.wait_until(guard, deadline, [&] { return count != seen; }))
        return false;
    }
  }
};

struct load_loop {
  /// `answers` may be shared by several loads.
  explicit load_loop(std::shared_ptr<answer_signal> signal
                     = std::make_shared<answer_signal>())
    : answers(std::move(signal)) {
  }

  struct result {
    std::chrono::steady_clock::time_point started;
    int status = 0;
    std::string body;
    std::string cost;
  };

  std::shared_ptr<answer_signal> answers;
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<result> results;
  std::vector<std::thread> threads;

  void run(const cluster_node_process& node, const std::string& model,
           std::size_t thread_count) {
    for (std::size_t t = 0; t < thread_count; ++t)
      threads.emplace_back([this, &node, model] {
        while (!stop.load()) {
          result r;
          r.started = std::chrono::steady_clock::now();
          auto reply = node.chat(model);
          r.status = reply.status;
          r.body = reply.body;
          if (auto c = reply.headers.find("x-switchyard-cost-usd");
              c != reply.headers.end())
            r.cost = c->second;
          {
            std::lock_guard<std::mutex> guard{mutex};
            results.push_back(std::move(r));
          }
          answers->note();
        }
      });
  }

  void join() {
    stop.store(true);
    for (auto& t : threads)
      t.join();
    threads.clear();
  }

  ~load_loop() {
    join();
  }
};

} // namespace switchyard::testing
