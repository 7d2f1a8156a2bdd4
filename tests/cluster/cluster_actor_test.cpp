// The cluster actor on CAF's test coordinator: two or three nodes in one
// actor system, met through `hello_atom` with each other's handles instead
// of a network, on simulated time. A paused node has its job kept off the
// run queue, as a stopped process would: its handle stays valid and its
// mailbox fills, but it answers nothing.

#include "../telemetry/span_recorder.hpp"
#include "switchyard/actors/ledger_actor.hpp"
#include "switchyard/clock/manual_time.hpp"
#include "switchyard/cluster/cluster_actor.hpp"
#include "switchyard/engine/budget_scope_kind.hpp"
#include "switchyard/engine/hash_ring.hpp"
#include "switchyard/messages/message_types.hpp"
#include "switchyard/telemetry/internal_span_attributes.hpp"

#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace switchyard::test {
namespace {

using namespace std::chrono_literals;
using cluster::cluster_state;

/// 2025-06-15 12:00:00 UTC, in ms since the Unix epoch.
constexpr std::int64_t noon_ms = 1'749'988'800'000;
constexpr std::int64_t day_ms = 24 * 3600 * 1000;

constexpr engine::usd_nanos cents(std::int64_t n) {
  return n * engine::nanos_per_usd / 100;
}

struct cluster_test_config : caf::actor_system_config {
  cluster_test_config() {
    set("scheduler.policy", caf::atom("testing"));
    // As a node registers them (cluster_node::configure).
    switchyard::add_message_types(*this);
    switchyard::add_cluster_message_types(*this);
    add_message_type<std::vector<std::string>>("std::vector<std::string>");
    add_message_type<std::vector<std::int64_t>>("std::vector<int64_t>");
  }
};

/// The node that owns `scope` among `members`, as every node's ring says.
std::string owner_among(const std::string& scope,
                        std::vector<std::string> members) {
  std::sort(members.begin(), members.end());
  engine::hash_ring ring;
  ring.assign(members);
  return ring.owner(scope);
}

/// A budget key whose scope `node` owns among `members`.
std::string key_owned_by(const std::string& node,
                         const std::vector<std::string>& members) {
  for (int i = 0;; ++i) {
    auto key = "key-" + std::to_string(i);
    if (owner_among(engine::key_scope_name(key), members) == node)
      return key;
  }
}

using grant_slot = std::shared_ptr<std::optional<budget_grant>>;

struct cluster_fixture {
  cluster_test_config sys_cfg;
  caf::actor_system sys{sys_cfg};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  /// Wall time for budget days and incarnations; moves only when a test
  /// moves it (the actor clock does not move it).
  std::shared_ptr<manual_time> wall = std::make_shared<manual_time>(noon_ms);
  std::map<std::string, caf::actor> nodes;
  std::map<std::string, std::shared_ptr<cluster::cluster_view>> views;
  std::vector<ledger_actor> ledgers;
  /// Jobs of paused nodes: left in the run queue, never run.
  std::set<caf::resumable*> paused;

  ~cluster_fixture() {
    paused.clear();
    for (auto& [id, node] : nodes)
      caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
    for (auto& ledger : ledgers)
      caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Budgets per key (1 USD) and the defaults for time: a 250 ms heartbeat,
  /// suspect after 750 ms, dead after 1.5 s, owners waited on for 500 ms.
  cluster::cluster_settings settings(const std::string& id) {
    cluster::cluster_settings s;
    s.node_id = id;
    s.caps.per_key = cents(100);
    s.time = wall;
    return s;
  }

  /// Spawns a node over a real (in-memory) local ledger and starts it
  /// without an address: it dials nobody, it is introduced.
  void spawn(cluster::cluster_settings s) {
    auto id = s.node_id;
    auto ledger = sys.spawn(actors::ledger, actors::budget_limits{},
                            actors::ledger_setup{{}, {}, wall, nullptr});
    ledgers.push_back(ledger);
    auto view = std::make_shared<cluster::cluster_view>();
    views[id] = view;
    nodes[id] = sys.spawn(cluster::cluster_actor, std::move(s), view, ledger);
    caf::anon_send(nodes[id], start_atom::value, learning_actor{},
                   std::vector<breaker_actor>{}, std::string{},
                   caf::io::middleman_actor{});
    run();
  }

  void spawn_nodes(const std::vector<std::string>& ids) {
    for (const auto& id : ids)
      spawn(settings(id));
  }

  /// `from` asks `to` for its hello, as after a dial connected.
  void meet(const std::string& from, const std::string& to) {
    caf::anon_send(nodes.at(from), hello_atom::value, nodes.at(to));
    run();
  }

  /// Runs every job but the paused nodes' until none is left.
  void run() {
    sched.run_jobs_filtered([this](caf::resumable* job) {
      return paused.count(job) == 0;
    });
  }

  /// Moves simulated time forward by `d`, firing every timer at its own
  /// time (so that a node ticks at every heartbeat on the way).
  void advance(caf::timespan d) {
    auto until = sched.clock().now() + d;
    run();
    for (;;) {
      const auto& timers = sched.clock().schedule();
      if (timers.empty() || timers.begin()->first > until)
        break;
      sched.advance_time(std::max(caf::timespan{0},
                                  timers.begin()->first - sched.clock().now()));
      run();
    }
    sched.advance_time(until - sched.clock().now());
    run();
  }

  /// The node stops running (a stopped process): it sends nothing and
  /// answers nothing, but its connection stays up.
  void pause(const std::string& id) {
    paused.insert(dynamic_cast<caf::resumable*>(
      caf::actor_cast<caf::abstract_actor*>(nodes.at(id))));
  }

  /// The node's state, read between runs (one thread runs every actor).
  cluster_state& state(const std::string& id) {
    auto* ptr = caf::actor_cast<caf::abstract_actor*>(nodes.at(id));
    return dynamic_cast<caf::stateful_actor<cluster_state>&>(*ptr).state;
  }

  /// How `observer` sees `peer` now.
  engine::member_state seen(const std::string& observer,
                            const std::string& peer) {
    auto& members = state(observer).members;
    auto m = members.peers().find(peer);
    REQUIRE(m != members.peers().end());
    return members.state_of(m->second, sched.clock().now());
  }

  /// Reserves `amount` for `key` at `node`, as a coordinator does; the
  /// slot fills when the node answers.
  grant_slot reserve(const std::string& node, const std::string& key,
                     engine::usd_nanos amount) {
    auto slot = std::make_shared<std::optional<budget_grant>>();
    // Spawned with an argument: CAF 0.17's factory dereferences a null
    // pointer (UB) for argument-less function actors.
    sys.spawn(
      [slot, req = budget_request{key, amount}](caf::event_based_actor* self,
                                                caf::actor target) {
        self->request(target, caf::infinite, reserve_atom::value, req)
          .then([slot](budget_grant& g) {
            *slot = std::move(g);
          });
      },
      nodes.at(node));
    return slot;
  }

  void settle(const std::string& node, const std::string& key,
              const budget_grant& g, engine::usd_nanos actual) {
    caf::anon_send(nodes.at(node), settle_atom::value,
                   budget_settlement{key, g.reservation_ids, actual, false});
    run();
  }

  ledger_summary stats(const std::string& node) {
    auto slot = std::make_shared<std::optional<ledger_summary>>();
    sys.spawn(
      [slot](caf::event_based_actor* self, caf::actor target) {
        self->request(target, caf::infinite, stats_atom::value)
          .then([slot](ledger_summary& s) {
            *slot = std::move(s);
          });
      },
      nodes.at(node));
    run();
    REQUIRE(slot->has_value());
    return **slot;
  }

  std::string status_json(const std::string& node) {
    std::lock_guard<std::mutex> guard{views.at(node)->mutex};
    return views.at(node)->status_json;
  }
};

const std::vector<std::string> two{"a", "b"};
const std::vector<std::string> three{"a", "b", "c"};

} // namespace

// -- membership ---------------------------------------------------------------

TEST_CASE_METHOD(cluster_fixture,
                 "introduced nodes see each other alive after a "
                 "heartbeat, and share one ring",
                 "[cluster][membership]") {
  spawn_nodes(three);
  meet("a", "b");
  meet("a", "c");
  meet("b", "c");
  advance(settings("a").heartbeat);
  for (const auto& x : three) {
    for (const auto& y : three)
      if (x != y)
        CHECK(seen(x, y) == engine::member_state::alive);
    CHECK(state(x).ring.members() == three);
    CHECK(state(x).members.has_quorum(sched.clock().now()));
    // Heartbeats went both ways on every link.
    for (const auto& [peer, link] : state(x).links) {
      CHECK(link.sent > 0);
      CHECK(link.received > 0);
    }
  }
  auto json = status_json("a");
  CHECK(json.find(R"("id":"b")") != std::string::npos);
  CHECK(json.find(R"("quorum":true)") != std::string::npos);
}

TEST_CASE_METHOD(cluster_fixture,
                 "a node that stops answering is suspect, then "
                 "dead after the membership timeout, and its budgets move to a "
                 "survivor",
                 "[cluster][membership]") {
  spawn_nodes(three);
  meet("a", "b");
  meet("a", "c");
  meet("b", "c");
  auto cfg = settings("a");
  advance(cfg.heartbeat);
  auto key = key_owned_by("c", three);
  auto scope = engine::key_scope_name(key);
  REQUIRE(state("a").ring.owner(scope) == "c");
  REQUIRE(state("b").ring.owner(scope) == "c");
  auto handovers_before = state("a").handovers;

  pause("c"); // heard last just now, at its heartbeat
  advance(cfg.membership.suspect_after);
  CHECK(seen("a", "c") == engine::member_state::suspect);
  CHECK(seen("b", "c") == engine::member_state::suspect);
  // A suspect node still owns its budgets: ownership does not flap.
  CHECK(state("a").ring.members() == three);

  advance(cfg.membership.dead_after - cfg.membership.suspect_after - 1ms);
  CHECK(seen("a", "c") == engine::member_state::suspect);
  CHECK(state("a").ring.members() == three);

  advance(1ms); // a heartbeat tick, dead_after after c was last heard
  CHECK(seen("a", "c") == engine::member_state::dead);
  CHECK(seen("b", "c") == engine::member_state::dead);
  CHECK(seen("a", "b") == engine::member_state::alive);
  CHECK(state("a").ring.members() == two);
  CHECK(state("b").ring.members() == two);
  CHECK(state("a").handovers > handovers_before);
  auto survivor = owner_among(scope, two);
  CHECK(state("a").ring.owner(scope) == survivor);
  CHECK(state("b").ring.owner(scope) == survivor);
  // Two of three alive: still a majority.
  CHECK(state("a").members.has_quorum(sched.clock().now()));
  CHECK(status_json("a").find(R"("id":"c","address":"","state":"dead")")
        != std::string::npos);

  // The survivor grants c's budget, also to the other survivor.
  auto other = survivor == "a" ? std::string{"b"} : std::string{"a"};
  auto g = reserve(other, key, cents(50));
  run();
  REQUIRE(g->has_value());
  CHECK((*g)->granted);
  CHECK(state(survivor).owned.open_reservations() == 1);
}

TEST_CASE_METHOD(cluster_fixture,
                 "a peer whose actor goes down is dead at once, "
                 "without waiting for the timeout",
                 "[cluster][membership]") {
  spawn_nodes(three);
  meet("a", "b");
  meet("a", "c");
  meet("b", "c");
  advance(settings("a").heartbeat);
  caf::anon_send_exit(nodes.at("c"), caf::exit_reason::kill);
  run();
  CHECK(seen("a", "c") == engine::member_state::dead);
  CHECK(seen("b", "c") == engine::member_state::dead);
  CHECK(state("a").ring.members() == two);
  CHECK(state("b").ring.members() == two);
}

// -- budgets ------------------------------------------------------------------

TEST_CASE_METHOD(cluster_fixture,
                 "a reservation for a scope another node owns "
                 "is granted and settled through that owner",
                 "[cluster][budgets]") {
  spawn_nodes(two);
  meet("a", "b");
  auto key = key_owned_by("b", two);
  auto scope = engine::key_scope_name(key);
  REQUIRE(state("a").ring.owner(scope) == "b");

  auto g = reserve("a", key, cents(40));
  run();
  REQUIRE(g->has_value());
  REQUIRE((*g)->granted);
  REQUIRE((*g)->reservation_ids.size() == 1);
  CHECK((*g)->remaining_nanos == cents(60));
  // Held at the owner, not at the node that asked.
  CHECK(state("b").owned.open_reservations() == 1);
  CHECK(state("a").owned.open_reservations() == 0);

  settle("a", key, **g, cents(25));
  CHECK(state("b").owned.open_reservations() == 0);
  CHECK(state("b").spend.spent(scope) == cents(25));
  CHECK(state("a").spend.spent(scope) == cents(25));
  // The asking node's own store keeps its spend.
  CHECK(stats("a").global.spent_nanos == cents(25));
  CHECK(stats("b").global.spent_nanos == 0);
}

TEST_CASE_METHOD(cluster_fixture,
                 "reservations from two nodes interleaved never "
                 "exceed the cap",
                 "[cluster][budgets]") {
  spawn_nodes(two);
  meet("a", "b");
  auto key = key_owned_by("b", two);
  auto scope = engine::key_scope_name(key);

  // 4 x 0.3 USD against a 1 USD cap, alternating between the nodes and
  // all in flight at once.
  std::vector<std::pair<std::string, grant_slot>> asked;
  for (const auto* node : {"a", "b", "a", "b"})
    asked.emplace_back(node, reserve(node, key, cents(30)));
  run();
  int granted = 0;
  for (auto& [node, slot] : asked) {
    REQUIRE(slot->has_value());
    if ((*slot)->granted) {
      ++granted;
    } else {
      CHECK((*slot)->scope_exhausted == scope);
      CHECK((*slot)->remaining_nanos == cents(10));
    }
  }
  CHECK(granted == 3);
  CHECK(state("b").owned.open_reservations() == 3);

  // Settled spend from one node counts against reservations from the other.
  auto first_of_a = std::find_if(asked.begin(), asked.end(), [](auto& x) {
    return x.first == "a" && (*x.second)->granted;
  });
  REQUIRE(first_of_a != asked.end());
  settle("a", key, **first_of_a->second, cents(30));
  auto more = reserve("b", key, cents(20));
  run();
  REQUIRE(more->has_value());
  CHECK_FALSE((*more)->granted);
  CHECK((*more)->scope_exhausted == scope);
  CHECK(state("b").spend.spent(scope) == cents(30));
}

TEST_CASE_METHOD(cluster_fixture,
                 "an owner that does not answer within "
                 "owner_timeout makes the reservation fail as unreachable",
                 "[cluster][budgets]") {
  spawn_nodes(two);
  meet("a", "b");
  auto cfg = settings("a");
  advance(cfg.heartbeat);
  auto key = key_owned_by("b", two);
  auto scope = engine::key_scope_name(key);

  pause("b");
  auto g = reserve("a", key, cents(10));
  advance(cfg.owner_timeout - 1ms);
  CHECK_FALSE(g->has_value());
  advance(1ms);
  REQUIRE(g->has_value());
  CHECK_FALSE((*g)->granted);
  CHECK((*g)->scope_exhausted == scope + " (its owner node b did not answer)");
  CHECK(state("a").owner_unreachable == 1);
  CHECK(state("a").refusals == 1);
  // The refusal came from the timeout: b still owns the scope.
  CHECK(seen("a", "b") != engine::member_state::dead);
  CHECK(state("a").ring.owner(scope) == "b");
}

// -- the budget day -----------------------------------------------------------

TEST_CASE_METHOD(cluster_fixture,
                 "the budget day comes from the settings' clock, "
                 "not the actor clock",
                 "[cluster][budgets]") {
  auto s = settings("a");
  s.caps = {};
  s.caps.daily = cents(100);
  // One second before a UTC midnight.
  auto day = noon_ms / day_ms;
  wall->set_wall_ms((day + 1) * day_ms - 1000);
  spawn(std::move(s));
  auto before = sched.clock().now();

  auto first = reserve("a", "", cents(80));
  auto second = reserve("a", "", cents(80));
  run();
  REQUIRE(first->has_value());
  REQUIRE(second->has_value());
  CHECK((*first)->granted);
  CHECK_FALSE((*second)->granted);
  CHECK((*second)->scope_exhausted == engine::daily_scope_name(day));

  wall->advance(1s); // midnight: a new day's budget
  auto third = reserve("a", "", cents(80));
  auto fourth = reserve("a", "", cents(80));
  run();
  REQUIRE(third->has_value());
  REQUIRE(fourth->has_value());
  CHECK((*third)->granted);
  CHECK_FALSE((*fourth)->granted);
  CHECK((*fourth)->scope_exhausted == engine::daily_scope_name(day + 1));
  CHECK(sched.clock().now() == before);

  advance(settings("a").heartbeat); // the view shows today's budget
  CHECK(status_json("a").find("\"scope\":\"" + engine::daily_scope_name(day + 1)
                              + "\"")
        != std::string::npos);
}

// -- traces -------------------------------------------------------------------

TEST_CASE_METHOD(cluster_fixture,
                 "a traced reservation that waits on another node's budget "
                 "is a span of its task, one this node owns is none",
                 "[cluster][budgets][telemetry]") {
  spawn_nodes(two);
  meet("a", "b");
  // Past the handover hold that meeting started.
  advance(1s);
  switchyard::testing::recorded_tracing tracing;
  auto traced_reserve = [&](const std::string& key,
                            const telemetry::trace_parent_ptr& trace) {
    auto slot = std::make_shared<std::optional<budget_grant>>();
    sys.spawn(
      [slot, req = traced_budget_request{{key, cents(40)}, trace}](
        caf::event_based_actor* self, caf::actor target) {
        self->request(target, caf::infinite, reserve_atom::value, req)
          .then([slot](budget_grant& g) { *slot = std::move(g); });
      },
      nodes.at("a"));
    run();
    return slot;
  };
  auto task = tracing.tracer->start_root_trace();

  auto remote = traced_reserve(key_owned_by("b", two), task);
  REQUIRE(remote->has_value());
  CHECK((*remote)->granted);
  auto spans = tracing.recorder->spans();
  REQUIRE(spans.size() == 1);
  const auto& s = spans.front();
  CHECK(s.name == "switchyard.budget_reserve");
  CHECK(s.kind == telemetry::span_kind::client);
  CHECK(s.trace_id == task->context.trace_id);
  CHECK(s.parent_span_id == task->context.span_id);
  auto text = [&s](std::string_view key) {
    auto* v = s.find(key);
    REQUIRE(v != nullptr);
    return std::get<std::string>(*v);
  };
  CHECK(text(telemetry::attrs::budget_scope)
        == engine::key_scope_name(key_owned_by("b", two)));
  CHECK(text(telemetry::attrs::budget_owner) == "b");
  auto* granted = s.find(telemetry::attrs::budget_granted);
  REQUIRE(granted != nullptr);
  CHECK(std::get<bool>(*granted));

  // Owned here: nothing waits, nothing is recorded.
  auto local = traced_reserve(key_owned_by("a", two), task);
  REQUIRE(local->has_value());
  CHECK((*local)->granted);
  // Untraced: the same reservation makes no span either.
  auto untraced = traced_reserve(key_owned_by("b", two), nullptr);
  REQUIRE(untraced->has_value());
  CHECK(tracing.recorder->spans().size() == 1);
}

} // namespace switchyard::test
