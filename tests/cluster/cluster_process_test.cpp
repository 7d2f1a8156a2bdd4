// Three real `switchyard serve` nodes on loopback: shared learning, shared
// breakers, cluster-wide budgets, a killed node and a paused one.

#include "cluster_fixture.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>

using namespace switchyard::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* expensive_model = "claude-opus-4";

/// Failure feedback on `node`'s decision, posted to `post_to` (default: the
/// same node), until routing moves the task elsewhere.
std::string sour_the_routed_model(const cluster_node_process& node,
                                  const cluster_node_process* post_to = nullptr) {
  if (post_to == nullptr)
    post_to = &node;
  auto r = node.call("POST", "/v1/route",
                     R"({"model":"auto","messages":[{"role":"user","content":"Write a fibonacci function in python"}]})");
  REQUIRE(r.status == 200);
  auto decision = string_field(r.body, "decision_id");
  auto model = string_field(r.body, "model");
  REQUIRE(!decision.empty());
  for (int i = 0; i < 40; ++i) {
    auto f = post_to->call("POST", "/v1/feedback",
                       R"({"decision_id":")" + decision
                         + R"(","outcome":"failure","rating":1})");
    REQUIRE(f.status == 200);
  }
  return model;
}

std::string sim_config_with_failing_haiku(const std::string& tag) {
  auto path = "/tmp/switchyard-cluster-faults-" + tag + ".yaml";
  std::ofstream f{path};
  f << "version: 1\nseed: 3\ntime_scale: 0\ndefaults:\n"
       "  latency_ms: 0\n  ttft_ms: 0\n  tokens_per_second: 0\n"
       "  output_tokens: 40\n  faults: {}\nmodels:\n"
       "  claude-3-haiku-20240307:\n    faults: {reset: 1.0}\n";
  for (auto m : {"gpt-4o-mini", "claude-opus-4-20250514",
                 "claude-sonnet-4-20250514", "gpt-5", "gpt-4o", "o1",
                 "o1-mini", "gemini-1.5-pro", "gemini-1.5-flash",
                 "mistral-large-2407", "mistral-small-2409",
                 "command-r-plus-08-2024", "command-r-03-2024", "qwen3:1.7b",
                 "qwen/qwen3-30b-a3b-2507", "mistralai/devstral-small-2507"})
    f << "  \"" << m << "\": {}\n";
  return path;
}

std::string breaker_of(const cluster_node_process& node,
                       const std::string& provider) {
  auto body = node.call("GET", "/v1/providers").body;
  auto at = body.find("\"id\":\"" + provider + "\"");
  if (at == std::string::npos)
    return {};
  return string_field(body.substr(at), "breaker");
}

} // namespace

TEST_CASE("three nodes share learning and breakers", "[cluster][process]") {
  cluster_fixture fx{{}, sim_config_with_failing_haiku(std::to_string(getpid()))};
  auto nodes = fx.start_three();
  auto& a = nodes[0];
  auto& c = nodes[2];

  SECTION("feedback posted to a changes routing on c") {
    auto before = c.route_model();
    REQUIRE(!before.empty());
    auto soured = sour_the_routed_model(a);
    CHECK(soured == before);
    auto acked = std::chrono::steady_clock::now();
    REQUIRE(eventually(settle_limit, [&] { return c.route_model() != before; }));
    INFO("propagated in "
         << std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::steady_clock::now() - acked)
              .count()
         << " ms");
    CHECK(a.route_model() != before);
    CHECK_THAT(c.call("GET", "/metrics").body,
               Catch::Contains("switchyard_cluster_delta_lag_ms_count"));
  }

  SECTION("feedback for a's decision, posted to c, reaches a and moves every node") {
    auto before = a.route_model();
    REQUIRE(!before.empty());
    auto soured = sour_the_routed_model(a, &c);
    CHECK(soured == before);
    for (auto& n : nodes)
      CHECK(eventually(settle_limit, [&] { return n.route_model() != before; }));
    // c's view is refreshed at its next heartbeat tick.
    std::string body;
    CHECK(eventually(settle_limit, [&] {
      body = c.cluster();
      return body.find("\"feedback_forwarded\":40") != std::string::npos;
    }));
    INFO(body);
    CHECK_THAT(body, Catch::Contains("\"feedback_unforwarded\":0"));
  }

  SECTION("decision ids differ between nodes") {
    auto id_of = [](const cluster_node_process& n) {
      auto r = n.call("POST", "/v1/route",
                      R"({"model":"auto","messages":[{"role":"user","content":"hello"}]})");
      REQUIRE(r.status == 200);
      return string_field(r.body, "decision_id");
    };
    auto from_a = id_of(a);
    auto from_c = id_of(c);
    REQUIRE(from_a.size() == 20);
    REQUIRE(from_c.size() == 20);
    // "dec_" + 16 hex digits; the first four name the node.
    CHECK(from_a.substr(4, 4) != from_c.substr(4, 4));
    CHECK(from_a.substr(4, 4) == id_of(a).substr(4, 4));
  }

  SECTION("a breaker opened on a is open on b and c") {
    for (auto& n : nodes)
      REQUIRE(breaker_of(n, "anthropic") == "closed");
    REQUIRE(eventually(settle_limit, [&] {
      a.chat("claude-haiku-4");
      return breaker_of(a, "anthropic") == "open";
    }));
    for (std::size_t i = 1; i < nodes.size(); ++i)
      CHECK(eventually(settle_limit, [&] {
        return breaker_of(nodes[i], "anthropic") == "open";
      }));
  }
}

TEST_CASE("a $1.00 budget holds under load on all three nodes",
          "[cluster][process][budget]") {
  cluster_fixture fx{{"--global-budget", "1.00"}};
  auto nodes = fx.start_three();
  auto route = nodes[0].call("POST", "/v1/route",
                             R"({"model":")" + std::string{expensive_model}
                               + R"(","max_tokens":400,"messages":[{"role":"user","content":"Write a fibonacci function in python"}]})");
  REQUIRE(route.status == 200);
  // The largest reservation a request can make: its worst-case cost.
  auto max_at = route.body.find("\"max\":", route.body.find("estimated_cost_usd"));
  REQUIRE(max_at != std::string::npos);
  auto max_reservation = std::atof(route.body.c_str() + max_at + 6);
  REQUIRE(max_reservation > 0.0);

  load_loop load;
  for (auto& n : nodes)
    load.run(n, expensive_model, 3);
  // Run until every node gets refusals.
  REQUIRE(load.answers->until(settle_limit, [&] {
    std::lock_guard<std::mutex> guard{load.mutex};
    std::size_t refused = 0;
    for (auto& r : load.results)
      refused += r.status != 200 ? 1 : 0;
    return refused >= 30;
  }));
  load.join();
  double settled = 0.0;
  std::size_t ok = 0;
  std::size_t refused = 0;
  for (auto& r : load.results) {
    if (r.status == 200) {
      ++ok;
      settled += std::atof(r.cost.c_str());
    } else {
      ++refused;
      INFO("refusal: " << r.status << " " << r.body);
      CHECK_THAT(r.body, Catch::Contains("budget"));
      CHECK_THAT(r.body, Catch::Contains("\"error\""));
    }
  }
  INFO("settled $" << settled << " in " << ok << " answers; " << refused
                   << " refused; max reservation $" << max_reservation);
  CHECK(ok > 0);
  CHECK(settled <= 1.00 + max_reservation);
  CHECK(settled > 0.5); // the budget was used, not refused from the start
}

namespace {

/// Loads both survivors while `victim` is stopped with `sig`; checks that
/// nothing fails once they see it dead and that its budget moves.
std::size_t survive(cluster_fixture& fx,
                    std::vector<cluster_node_process>& nodes, int sig) {
  auto owner = nodes[0].global_owner();
  REQUIRE(!owner.empty());
  auto victim_at = std::find_if(nodes.begin(), nodes.end(),
                                [&](auto& n) { return n.id == owner; })
                   - nodes.begin();
  auto& victim = nodes[static_cast<std::size_t>(victim_at)];
  std::vector<cluster_node_process*> survivors;
  for (auto& n : nodes)
    if (n.id != owner)
      survivors.push_back(&n);
  // Learning before the failure, for the victim to catch up on later.
  auto before = victim.route_model();
  sour_the_routed_model(*survivors[0]);

  load_loop load;
  for (auto* s : survivors)
    load.run(*s, "auto", 2);
  REQUIRE(load.answers->until(settle_limit, [&] {
    std::lock_guard<std::mutex> guard{load.mutex};
    return load.results.size() > 20;
  }));
  auto stopped_at = std::chrono::steady_clock::now();
  kill(victim.proc->pid(), sig);
  // Noticed: the budget's owner moves to a survivor.
  std::chrono::steady_clock::time_point detected;
  for (auto* s : survivors)
    REQUIRE(eventually(settle_limit, [&] {
      auto body = s->cluster();
      return count_of(body, "\"state\":\"dead\"") == 1
             && s->global_owner() != owner && !s->global_owner().empty();
    }));
  detected = std::chrono::steady_clock::now();
  INFO("the failure was noticed in "
       << std::chrono::duration_cast<std::chrono::milliseconds>(detected
                                                                - stopped_at)
            .count()
       << " ms");
  CHECK(survivors[0]->global_owner() == survivors[1]->global_owner());
  // Keep the load on for a while after detection.
  REQUIRE(load.answers->until(settle_limit, [&] {
    std::lock_guard<std::mutex> guard{load.mutex};
    std::size_t after = 0;
    for (auto& r : load.results)
      after += r.started > detected ? 1 : 0;
    return after > 40;
  }));
  load.join();
  std::size_t after = 0;
  for (auto& r : load.results)
    if (r.started > detected) {
      ++after;
      INFO(r.status << " " << r.body);
      CHECK(r.status == 200);
    }
  CHECK(after > 40);
  (void) fx;
  (void) before;
  return static_cast<std::size_t>(victim_at);
}

} // namespace

TEST_CASE("a killed node's budgets move, and once restarted it rejoins and catches up",
          "[cluster][process][failover]") {
  cluster_fixture fx{{"--global-budget", "1000"}};
  auto nodes = fx.start_three();
  auto learned_before = nodes[0].route_model();
  auto owner_gone = nodes.begin()
                    + static_cast<std::ptrdiff_t>(survive(fx, nodes, SIGKILL));
  owner_gone->proc->wait_exit(5s);
  // Restart under the same name, seeded with the survivors.
  std::vector<std::string> seeds;
  for (auto& n : nodes)
    if (n.id != owner_gone->id)
      seeds.push_back(n.cluster_address());
  auto restarted = fx.start_node(owner_gone->id, seeds);
  REQUIRE(eventually(settle_limit, [&] { return restarted.sees_alive(3); }));
  for (auto& n : nodes)
    if (n.id != owner_gone->id)
      CHECK(eventually(settle_limit, [&] { return n.sees_alive(3); }));
  // Caught up: it routes away from the soured model like its peers.
  CHECK(eventually(settle_limit, [&] { return restarted.route_model() != learned_before; }));
  CHECK(restarted.chat("auto").status == 200);
}

TEST_CASE("a paused node (SIGSTOP) is routed around and resumes cleanly",
          "[cluster][process][partition]") {
  cluster_fixture fx{{"--global-budget", "1000"}};
  auto nodes = fx.start_three();
  survive(fx, nodes, SIGSTOP);
  for (auto& n : nodes)
    kill(n.proc->pid(), SIGCONT);
  for (auto& n : nodes)
    CHECK(eventually(settle_limit, [&] { return n.sees_alive(3); }));
  for (auto& n : nodes)
    CHECK(n.chat("auto").status == 200);
  // Budgets agree again: one owner for the global budget everywhere.
  CHECK(eventually(settle_limit, [&] {
    auto o = nodes[0].global_owner();
    return !o.empty() && nodes[1].global_owner() == o
           && nodes[2].global_owner() == o;
  }));
}

namespace {

/// The largest reservation one chat with `model` can make: its worst-case
/// cost, as /v1/route estimates it.
double max_reservation_of(const cluster_node_process& node,
                          const std::string& model) {
  auto route = node.call("POST", "/v1/route",
                         R"({"model":")" + model
                           + R"(","max_tokens":400,"messages":[{"role":"user","content":"Write a fibonacci function in python"}]})");
  REQUIRE(route.status == 200);
  auto max_at = route.body.find("\"max\":", route.body.find("estimated_cost_usd"));
  REQUIRE(max_at != std::string::npos);
  return std::atof(route.body.c_str() + max_at + 6);
}

/// The global budget's replicated spend as `node` reports it (-1: none).
double global_spent(const cluster_node_process& node) {
  auto body = node.cluster();
  auto at = body.find("\"scope\":\"global\"");
  if (at == std::string::npos)
    return -1.0;
  auto spent = body.find("\"spent_usd\":", at);
  return spent == std::string::npos ? -1.0 : std::atof(body.c_str() + spent + 12);
}

} // namespace

TEST_CASE("the budget owner killed under load: the cap holds within one reservation",
          "[cluster][process][budget][failover]") {
  cluster_fixture fx{{"--global-budget", "1.00"}};
  auto nodes = fx.start_three();
  auto max_reservation = max_reservation_of(nodes[0], expensive_model);
  REQUIRE(max_reservation > 0.0);
  auto owner = nodes[0].global_owner();
  REQUIRE(!owner.empty());
  std::vector<std::unique_ptr<load_loop>> loads;
  auto answers = std::make_shared<answer_signal>();
  cluster_node_process* victim = nullptr;
  std::vector<cluster_node_process*> survivors;
  for (auto& n : nodes) {
    loads.push_back(std::make_unique<load_loop>(answers));
    loads.back()->run(n, expensive_model, 3);
    if (n.id == owner)
      victim = &n;
    else
      survivors.push_back(&n);
  }
  REQUIRE(victim != nullptr);
  load_loop* victim_load = loads[static_cast<std::size_t>(victim - nodes.data())].get();
  auto ok_count = [&] {
    std::size_t ok = 0;
    for (auto& l : loads) {
      std::lock_guard<std::mutex> guard{l->mutex};
      for (auto& r : l->results)
        ok += r.status == 200 ? 1 : 0;
    }
    return ok;
  };
  // Part of the budget spent, reservations in flight on every node.
  REQUIRE(answers->until(settle_limit, [&] { return ok_count() >= 6; }));
  victim_load->join(); // its clients stop; the others' reservations stay in flight
  kill(victim->proc->pid(), SIGKILL);
  // The survivors take over and spend the rest until refused.
  REQUIRE(answers->until(settle_limit, [&] {
    std::size_t refused = 0;
    for (auto& l : loads) {
      std::lock_guard<std::mutex> guard{l->mutex};
      for (auto& r : l->results)
        refused += r.status == 429 ? 1 : 0;
    }
    return refused >= 20;
  }));
  for (auto& l : loads)
    l->join();
  double settled = 0.0;
  std::size_t ok = 0;
  for (auto& l : loads)
    for (auto& r : l->results)
      if (r.status == 200) {
        ++ok;
        settled += std::atof(r.cost.c_str());
      }
  INFO("settled $" << settled << " in " << ok << " answers; max reservation $"
                   << max_reservation);
  CHECK(settled <= 1.00 + max_reservation);
  CHECK(settled > 0.5);
  for (auto* s : survivors)
    CHECK(s->global_owner() != owner);
}

TEST_CASE("after a whole-cluster restart the stored spend still counts",
          "[cluster][process][budget][restart]") {
  cluster_fixture fx{{"--global-budget", "1000"}};
  auto dir = std::filesystem::temp_directory_path()
             / ("switchyard-cluster-restart-" + fx.tag);
  std::filesystem::remove_all(dir);
  auto data_dir = [&](const std::string& id) {
    return std::vector<std::string>{"--data-dir", (dir / id).string()};
  };
  auto start_all = [&] {
    std::vector<cluster_node_process> nodes;
    nodes.push_back(fx.start_node("a", {}, data_dir("a")));
    nodes.push_back(fx.start_node("b", {nodes[0].cluster_address()}, data_dir("b")));
    nodes.push_back(fx.start_node("c", {nodes[0].cluster_address()}, data_dir("c")));
    for (auto& n : nodes)
      REQUIRE(eventually(settle_limit, [&n] { return n.sees_alive(3); }));
    return nodes;
  };
  double spent = 0.0;
  {
    auto nodes = start_all();
    for (auto& n : nodes)
      for (int i = 0; i < 3; ++i) {
        auto r = n.chat(expensive_model);
        REQUIRE(r.status == 200);
        spent += std::atof(r.headers["x-switchyard-cost-usd"].c_str());
      }
    REQUIRE(spent > 0.0);
    for (auto& n : nodes)
      REQUIRE(eventually(settle_limit, [&] {
        return std::abs(global_spent(n) - spent) < 1e-5;
      }));
    for (auto& n : nodes)
      CHECK(n.proc->stop(SIGTERM) == 0);
  }
  auto nodes = start_all();
  for (auto& n : nodes) {
    INFO(n.id << ": " << n.cluster());
    CHECK(eventually(settle_limit, [&] { return std::abs(global_spent(n) - spent) < 1e-5; }));
  }
  std::filesystem::remove_all(dir);
}
