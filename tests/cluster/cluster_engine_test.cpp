// The pure parts of clustering: mergeable evidence, the hash ring,
// membership from heartbeat times, and budget ownership arithmetic.

#include "switchyard/engine/cluster_budgets.hpp"
#include "switchyard/engine/decision_ids.hpp"
#include "switchyard/engine/evidence.hpp"
#include "switchyard/engine/hash_ring.hpp"
#include "switchyard/engine/membership.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

using namespace switchyard::engine;
using namespace std::chrono_literals;

namespace {

constexpr double day_s = 24.0 * 3600.0;

evidence sum_in_order(const std::vector<evidence>& parts, double half_life) {
  evidence total;
  for (const auto& p : parts)
    total.merge(p, half_life);
  return total;
}

} // namespace

TEST_CASE("evidence merges commutatively: any order gives the same sums",
          "[cluster][evidence]") {
  std::vector<evidence> parts{outcome_evidence(true, 120.0, 500.0, 1000.0),
                              outcome_evidence(false, 300.0, 700.0, 5000.0),
                              feedback_evidence(0.25, 3000.0),
                              feedback_evidence(1.0, 90000.0)};
  auto forward = sum_in_order(parts, day_s);
  std::reverse(parts.begin(), parts.end());
  auto backward = sum_in_order(parts, day_s);
  std::swap(parts[0], parts[2]);
  auto shuffled = sum_in_order(parts, day_s);
  for (const auto& other : {backward, shuffled}) {
    CHECK(other.as_of_s == forward.as_of_s);
    CHECK(other.calls == Approx(forward.calls));
    CHECK(other.successes == Approx(forward.successes));
    CHECK(other.latency_ms_sum == Approx(forward.latency_ms_sum));
    CHECK(other.feedback_sum == Approx(forward.feedback_sum));
  }
  // Decayed to the latest instant (90000 s): the first call is 89000 s old.
  CHECK(forward.as_of_s == 90000.0);
  CHECK(forward.successes == Approx(decay_factor(89000.0, day_s)));
}

TEST_CASE("blend weighs remote evidence by its decayed samples",
          "[cluster][evidence]") {
  learning_params p;
  model_performance local;
  local.success = 0.9;
  local.samples = 10.0;
  local.latency_ms = 100.0;
  evidence remote;
  for (int i = 0; i < 30; ++i)
    remote.merge(feedback_evidence(0.0, 100.0), p.half_life_s);
  auto v = blend(local, remote, 100.0, p);
  CHECK(v.samples == Approx(40.0));
  // 30 samples of 0 against 10 of 0.9.
  CHECK(v.success == Approx(0.9 * 10.0 / 40.0));
  CHECK(v.confidence == Approx(40.0 / 60.0));
  CHECK(v.latency_ms == 100.0);
  // No remote evidence: the local view unchanged.
  auto same = blend(local, evidence{}, 100.0, p);
  CHECK(same.success == 0.9);
  CHECK(same.samples == 10.0);
}

TEST_CASE("replicated evidence keeps the newest total per origin and cell",
          "[cluster][evidence]") {
  replicated_evidence a;
  replicated_evidence b;
  auto t1 = a.add_local("a#1", {"m", task_type::code_generation,
                                feedback_evidence(0.0, 10.0)},
                        day_s);
  auto t2 = a.add_local("a#1", {"m", task_type::code_generation,
                                feedback_evidence(0.0, 11.0)},
                        day_s);
  CHECK(t2.version > t1.version);
  // Newer first, then older, then the newer again: applied once.
  CHECK(b.apply(t2));
  CHECK_FALSE(b.apply(t1));
  CHECK_FALSE(b.apply(t2));
  auto remote = b.remote_sums("b#1", day_s);
  REQUIRE(remote.size() == 1);
  CHECK(remote[0].sums.feedback_count == Approx(2.0));
  // A node's own origin is not remote to it.
  CHECK(b.remote_sums("a#1", day_s).empty());
  // Catch-up: a third node gets everything b knows.
  replicated_evidence c;
  for (const auto& t : b.all())
    c.apply(t);
  CHECK(c.remote_sums("c#1", day_s)[0].sums.feedback_count == Approx(2.0));
}

TEST_CASE("hash ring: stable owners, and only a dead member's keys move",
          "[cluster][ring]") {
  hash_ring ring;
  ring.assign({"c", "a", "b"});
  std::map<std::string, std::string> before;
  std::map<std::string, int> per_member;
  for (int i = 0; i < 300; ++i) {
    auto key = "key:k" + std::to_string(i);
    before[key] = ring.owner(key);
    ++per_member[before[key]];
  }
  CHECK(per_member.size() == 3);
  for (auto& [m, n] : per_member)
    CHECK(n > 50); // roughly a third each
  hash_ring same;
  same.assign({"b", "c", "a"});
  hash_ring without_b;
  without_b.assign({"a", "c"});
  for (auto& [key, owner] : before) {
    CHECK(same.owner(key) == owner);
    if (owner != "b")
      CHECK(without_b.owner(key) == owner);
    else
      CHECK(without_b.owner(key) != "b");
  }
  hash_ring empty;
  CHECK(empty.owner("global").empty());
}

TEST_CASE("membership: alive, suspect, dead from heartbeat silence",
          "[cluster][membership]") {
  using tp = membership::time_point;
  tp t0{std::chrono::seconds{100}};
  membership m{"a"};
  CHECK(m.has_quorum(t0)); // alone and knowing no one
  CHECK(m.heard("b", "127.0.0.1:1", "b#1", t0));
  CHECK(m.heard("c", "127.0.0.1:2", "c#1", t0));
  CHECK_FALSE(m.heard("b", "", "b#1", t0 + 100ms)); // already alive
  auto& b = m.peers().at("b");
  CHECK(m.state_of(b, t0 + 500ms) == member_state::alive);
  CHECK(m.state_of(b, t0 + 100ms + 750ms) == member_state::suspect);
  CHECK(m.state_of(b, t0 + 100ms + 1500ms) == member_state::dead);
  // c silent since t0, b since t0+100ms: at t0+1.55 s c is dead, b is not.
  auto owners = m.owners(t0 + 1550ms);
  CHECK(owners == std::vector<std::string>{"a", "b"});
  CHECK(m.has_quorum(t0 + 1550ms));
  CHECK_FALSE(m.has_quorum(t0 + 2s)); // both dead: a alone is a minority
  // b restarts (new incarnation): it counts as (re)joined.
  CHECK(m.heard("b", "127.0.0.1:3", "b#2", t0 + 2s));
  CHECK(m.peers().at("b").address == "127.0.0.1:3");
  m.lost("b");
  CHECK(m.state_of(m.peers().at("b"), t0 + 2s) == member_state::dead);
}

TEST_CASE("membership: a node started with seeds has no majority alone",
          "[cluster][membership]") {
  membership m{"b"};
  m.set_min_known(2);
  membership::time_point t0{std::chrono::seconds{5}};
  CHECK_FALSE(m.has_quorum(t0));
  m.heard("a", "127.0.0.1:1", "a#1", t0);
  CHECK(m.has_quorum(t0));
}

TEST_CASE("cluster budgets: scopes, owner reservations and replicated spend",
          "[cluster][budget]") {
  budget_caps caps{usd_to_nanos_ceil(1.0), std::nullopt, usd_to_nanos_ceil(0.5)};
  auto scopes = scopes_for(caps, "team-a", 19000);
  REQUIRE(scopes.size() == 2);
  CHECK(scopes[0].name == "global");
  CHECK(scopes[1].name == "key:team-a");
  CHECK(scopes_for(caps, "", 19000).size() == 1);
  CHECK(cap_of_scope(caps, "key:x") == caps.per_key);
  CHECK_FALSE(cap_of_scope(caps, "daily:3"));

  replicated_spend spend;
  owned_budgets owner;
  auto cap = *caps.global;
  CHECK(owner.reserve("global", cap, spend.spent("global"), cap / 2, "a", 1)
          .granted);
  CHECK(owner.reserve("global", cap, spend.spent("global"), cap / 2, "b", 1)
          .granted);
  CHECK_FALSE(
    owner.reserve("global", cap, spend.spent("global"), 1, "c", 1).granted);
  // Settled on two nodes: each origin's total, merged by maximum.
  auto a = spend.add_local("a", "global", cap / 4);
  CHECK(owner.release("global", "a", 1));
  CHECK_FALSE(spend.apply(a));
  replicated_spend copy;
  CHECK(copy.apply(a));
  CHECK(copy.apply({"c", "global", cap / 4}));
  CHECK_FALSE(copy.apply({"c", "global", cap / 8})); // older, smaller
  CHECK(copy.spent("global") == cap / 2);
  // A new owner rebuilds from the copy: what is left is cap - spent.
  owned_budgets new_owner;
  CHECK(new_owner.reserve("global", cap, copy.spent("global"), cap / 4, "c", 7)
          .granted);
  CHECK(owner.open_reservations() == 1);
  CHECK_FALSE(owner.release("global", "a", 999));
  CHECK_FALSE(owner.release("global", "b", 2));
  // b hands over its unsettled reservation: counted though it overshoots.
  new_owner.replace_origin("b", {{"global", 1, cap / 2}});
  CHECK(new_owner.reserved("global") == cap / 4 + cap / 2);
  CHECK_FALSE(
    new_owner.reserve("global", cap, copy.spent("global"), 1, "c", 8).granted);
  // Handing over again replaces, never doubles; an empty list clears.
  new_owner.replace_origin("b", {{"global", 1, cap / 2}});
  CHECK(new_owner.reserved("global") == cap / 4 + cap / 2);
  new_owner.replace_origin("b", {});
  CHECK(new_owner.reserved("global") == cap / 4);
  CHECK(new_owner.release("global", "c", 7));
  CHECK(new_owner.open_reservations() == 0);
}

TEST_CASE("cluster budgets: an owner answers with what is left, counts a "
          "retry once and rebuilds from replicated spend",
          "[cluster][budget]") {
  owned_budgets owner;
  auto a = owner.reserve("key:k", 1000, 200, 300, "a", 1);
  CHECK(a.granted);
  CHECK(a.remaining == 500);
  // The same reservation asked again: granted, not counted twice.
  auto again = owner.reserve("key:k", 1000, 200, 300, "a", 1);
  CHECK(again.granted);
  CHECK(again.remaining == 500);
  CHECK(owner.reserved("key:k") == 300);
  CHECK(owner.open_reservations() == 1);
  // A retry is checked like a new one: with more spend it no longer fits.
  auto late = owner.reserve("key:k", 1000, 500, 300, "a", 1);
  CHECK_FALSE(late.granted);
  CHECK(late.remaining == 200);
  // Spend grew elsewhere: what is left follows it.
  auto b = owner.reserve("key:k", 1000, 650, 50, "b", 1);
  CHECK(b.granted);
  CHECK(b.remaining == 0);
  auto c = owner.reserve("key:k", 1000, 650, 1, "c", 1);
  CHECK_FALSE(c.granted);
  CHECK(c.remaining == 0);
  CHECK_FALSE(owner.reserve("key:k", 1000, 0, -1, "c", 2).granted);
  // Scopes are apart.
  CHECK(owner.reserve("global", 100, 0, 100, "a", 1).granted);
  CHECK(owner.reserved("key:k") == 350);
  CHECK(owner.reserved("global") == 100);
  // A handed-over negative amount counts as none.
  owner.replace_origin("d", {{"global", 1, -5}});
  CHECK(owner.reserved("global") == 100);
  CHECK(owner.open_reservations() == 4);
  CHECK(owner.release("global", "d", 1));
  CHECK(owner.release("key:k", "a", 1));
  CHECK(owner.reserved("key:k") == 50);
}

TEST_CASE("decision ids name their node in the top 16 bits", "[cluster][engine]") {
  using namespace switchyard::engine;
  auto a = decision_id_prefix("a");
  auto b = decision_id_prefix("b");
  CHECK(a != 0);
  CHECK(a != b);
  CHECK((a & decision_counter_mask) == 0);
  CHECK(a == decision_id_prefix("a")); // the same on every node and run
  auto id = a | 12345;
  CHECK(decision_prefix_of(id) == a);
  CHECK((id & decision_counter_mask) == 12345);
  CHECK(decision_prefix_of(12345) == 0); // made outside a cluster
}
