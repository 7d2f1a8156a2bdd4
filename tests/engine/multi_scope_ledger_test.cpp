// The budgets of one node across scopes: every reservation is all or
// nothing, checked step by step against a model of each scope.

#include "switchyard/engine/multi_scope_ledger.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace switchyard::engine;

namespace {

constexpr std::int64_t day0 = 19'000;

budget_balance key_balance_of(const multi_scope_ledger& l,
                              const std::string& key) {
  for (const auto& k : l.keys())
    if (k.key == key)
      return k.balance;
  FAIL("no scope for key " << key);
  return {};
}

bool has_key_scope(const multi_scope_ledger& l, const std::string& key) {
  auto ks = l.keys();
  return std::any_of(ks.begin(), ks.end(),
                     [&](const auto& k) { return k.key == key; });
}

} // namespace

TEST_CASE("a reservation refused by one scope reserves nothing in the others",
          "[budget][multi_scope]") {
  // Each scope in turn is the short one; the others have room.
  auto [caps, short_one] = GENERATE(
    std::pair{budget_caps{500, 10'000, 10'000}, budget_scope_kind::global},
    std::pair{budget_caps{10'000, 500, 10'000}, budget_scope_kind::daily},
    std::pair{budget_caps{10'000, 10'000, 500}, budget_scope_kind::key});
  multi_scope_ledger l{caps, day0};
  auto first = l.reserve("a", 400);
  REQUIRE(first.granted);
  CHECK(first.ids[0] != 0);
  CHECK(first.ids[1] != 0);
  CHECK(first.ids[2] != 0);
  auto r = l.reserve("a", 200);
  CHECK_FALSE(r.granted);
  REQUIRE(r.refused_by);
  CHECK(*r.refused_by == short_one);
  CHECK(r.remaining == 100); // the least left anywhere, before the request
  CHECK(r.ids == std::array<reservation_id, 3>{});
  CHECK(l.global().reserved == 400);
  CHECK(l.daily().reserved == 400);
  CHECK(key_balance_of(l, "a").reserved == 400);
  CHECK(l.global().open_reservations == 1);
  CHECK(l.refusals() == 1);
  // Settling the first frees what the refusal asked for.
  l.settle("a", first.ids, 300);
  CHECK(l.reserve("a", 200).granted);
}

TEST_CASE("a refusal names the first scope that cannot cover it and the least "
          "left in any",
          "[budget][multi_scope]") {
  multi_scope_ledger l{{1000, 800, 300}, day0};
  REQUIRE(l.reserve("k", 250).granted);
  // Left: global 750, daily 550, key 50.
  auto r = l.reserve("k", 600);
  REQUIRE(r.refused_by);
  CHECK(*r.refused_by == budget_scope_kind::daily); // the key is short too
  CHECK(to_string(*r.refused_by) == "daily");
  CHECK(r.remaining == 50);
  // Without a key there is no key scope, and none is created.
  auto n = l.reserve("", 600);
  CHECK_FALSE(n.granted);
  CHECK(*n.refused_by == budget_scope_kind::daily);
  CHECK(n.remaining == 550);
  auto g = l.reserve("", 500);
  REQUIRE(g.granted);
  CHECK(g.ids[2] == 0);
  CHECK(g.remaining == 550);
  CHECK(l.keys().size() == 1);
  CHECK_FALSE(has_key_scope(l, ""));
  // A negative amount fits nowhere.
  auto neg = l.reserve("k", -1);
  CHECK_FALSE(neg.granted);
  CHECK(*neg.refused_by == budget_scope_kind::global);
  CHECK(l.refusals() == 3);
}

TEST_CASE("uncapped scopes have room for anything and report no cap",
          "[budget][multi_scope]") {
  multi_scope_ledger l{{}, day0};
  CHECK_FALSE(l.any_cap());
  auto r = l.reserve("a", 1'000'000'000'000);
  REQUIRE(r.granted);
  CHECK(r.remaining > 1'000'000'000'000'000);
  CHECK_FALSE(l.global().cap);
  CHECK_FALSE(l.daily().cap);
  CHECK_FALSE(key_balance_of(l, "a").cap);
  CHECK(multi_scope_ledger{{std::nullopt, 5, std::nullopt}, day0}.any_cap());
}

TEST_CASE("settling below or above the reservation counts the real cost in "
          "every scope",
          "[budget][multi_scope]") {
  multi_scope_ledger l{{10'000, 5000, 1000}, day0};
  SECTION("below") {
    auto r = l.reserve("a", 800);
    REQUIRE(r.granted);
    l.settle("a", r.ids, 300);
    for (auto b : {l.global(), l.daily(), key_balance_of(l, "a")}) {
      CHECK(b.spent == 300);
      CHECK(b.reserved == 0);
      CHECK(b.open_reservations == 0);
    }
    CHECK(l.reserve("a", 700).granted);
    CHECK_FALSE(l.reserve("a", 1).granted);
  }
  SECTION("above: the overrun is recorded and blocks later reservations") {
    auto r = l.reserve("a", 800);
    REQUIRE(r.granted);
    l.settle("a", r.ids, 1200);
    CHECK(l.global().spent == 1200);
    CHECK(l.daily().spent == 1200);
    CHECK(key_balance_of(l, "a").spent == 1200);
    auto next = l.reserve("a", 0);
    CHECK_FALSE(next.granted);
    CHECK(*next.refused_by == budget_scope_kind::key);
    CHECK(next.remaining == 0);
    // Another key still has room in the shared scopes.
    CHECK(l.reserve("b", 1000).granted);
  }
  SECTION("a negative cost counts as none") {
    auto r = l.reserve("a", 800);
    l.settle("a", r.ids, -5);
    CHECK(l.global().spent == 0);
    CHECK(l.global().reserved == 0);
  }
  SECTION("settling twice, or ids of no reservation, changes nothing") {
    auto r = l.reserve("a", 800);
    l.settle("a", r.ids, 100);
    l.settle("a", r.ids, 100);
    l.settle("a", std::vector<reservation_id>{0, 0, 0}, 100);
    l.settle("a", std::vector<reservation_id>{}, 100);
    CHECK(l.global().spent == 100);
    CHECK(key_balance_of(l, "a").spent == 100);
  }
}

TEST_CASE("release gives the reservation back in every scope",
          "[budget][multi_scope]") {
  multi_scope_ledger l{{1000, 1000, 1000}, day0};
  auto a = l.reserve("a", 700);
  auto b = l.reserve("", 300);
  REQUIRE(a.granted);
  REQUIRE(b.granted);
  CHECK_FALSE(l.reserve("a", 1).granted);
  l.release("a", a.ids);
  CHECK(l.global().reserved == 300);
  CHECK(l.daily().reserved == 300);
  CHECK(key_balance_of(l, "a").reserved == 0);
  CHECK(l.global().spent == 0);
  l.release("a", a.ids); // twice: no effect
  CHECK(l.global().reserved == 300);
  // The key scope of a call without a key is never touched.
  l.release("", b.ids);
  CHECK(l.global().reserved == 0);
  CHECK(l.global().open_reservations == 0);
}

TEST_CASE("spend without a reservation counts in every scope of the call",
          "[budget][multi_scope]") {
  multi_scope_ledger l{{1000, 500, 200}, day0};
  l.record_spend("a", 150);
  l.record_spend("", 100);
  CHECK(l.global().spent == 250);
  CHECK(l.daily().spent == 250);
  CHECK(key_balance_of(l, "a").spent == 150);
  auto r = l.reserve("a", 100);
  CHECK(*r.refused_by == budget_scope_kind::key);
  CHECK(r.remaining == 50);
}

TEST_CASE("a new UTC day restarts the daily budget, reservations stay",
          "[budget][multi_scope]") {
  multi_scope_ledger l{{10'000, 1000, 5000}, day0};
  auto held = l.reserve("a", 400);
  REQUIRE(held.granted);
  auto done = l.reserve("a", 500);
  REQUIRE(done.granted);
  l.settle("a", done.ids, 500);
  CHECK_FALSE(l.reserve("a", 101).granted); // 500 spent + 400 held
  CHECK_FALSE(l.roll_to(day0));             // the same day: nothing moves
  CHECK(l.daily().spent == 500);

  REQUIRE(l.roll_to(day0 + 1));
  CHECK(l.day() == day0 + 1);
  CHECK(l.daily().spent == 0);
  CHECK(l.daily().reserved == 400); // its call is still out
  CHECK(l.global().spent == 500);   // the others span days
  CHECK(key_balance_of(l, "a").spent == 500);
  auto today = l.reserve("a", 600);
  REQUIRE(today.granted);
  CHECK(today.remaining == 600);
  CHECK_FALSE(l.reserve("a", 1).granted);
  // Yesterday's reservation settles into today's budget.
  l.settle("a", held.ids, 100);
  CHECK(l.daily().spent == 100);
  CHECK(l.daily().reserved == 600);
  CHECK(l.global().spent == 600);
}

TEST_CASE("a key's cap changes while its reservations are held",
          "[budget][multi_scope]") {
  multi_scope_ledger l{{std::nullopt, std::nullopt, 1000}, day0};
  auto a1 = l.reserve("a", 600);
  REQUIRE(a1.granted);
  SECTION("lowered below what is held: held stays, new ones are refused") {
    l.set_key_cap("a", 500);
    CHECK(key_balance_of(l, "a").cap == 500);
    CHECK(key_balance_of(l, "a").reserved == 600);
    auto r = l.reserve("a", 0);
    CHECK_FALSE(r.granted);
    CHECK(*r.refused_by == budget_scope_kind::key);
    CHECK(r.remaining == 0);
    CHECK_FALSE(has_key_scope(l, "b"));
    CHECK(l.reserve("b", 1000).granted); // other keys keep the policy cap
    CHECK(has_key_scope(l, "b"));
    l.settle("a", a1.ids, 300);
    CHECK(key_balance_of(l, "a").spent == 300);
    CHECK(l.reserve("a", 200).granted);
    CHECK_FALSE(l.reserve("a", 1).granted);
    // Taking the key's own cap away brings back the per-key one.
    l.set_key_cap("a", std::nullopt);
    CHECK(key_balance_of(l, "a").cap == 1000);
    CHECK(l.reserve("a", 500).granted);
  }
  SECTION("raised: the room is there at once") {
    l.set_key_cap("a", 5000);
    auto r = l.reserve("a", 4400);
    REQUIRE(r.granted);
    CHECK(r.remaining == 4400);
    l.release("a", a1.ids);
    l.set_key_cap("a", 4400); // lowered to exactly what is held
    CHECK_FALSE(l.reserve("a", 1).granted);
  }
  SECTION("a key's own cap is a cap even without a per-key one") {
    multi_scope_ledger open{{}, day0};
    CHECK_FALSE(open.any_cap());
    open.set_key_cap("t", 10);
    CHECK(open.any_cap());
    CHECK_FALSE(open.reserve("t", 11).granted);
    CHECK(open.reserve("u", 11).granted);
    open.set_key_cap("t", std::nullopt);
    CHECK_FALSE(open.any_cap());
    CHECK(open.reserve("t", 11).granted);
    CHECK_FALSE(key_balance_of(open, "t").cap);
  }
}

TEST_CASE("spend from the store counts again, and today's totals go back to "
          "it",
          "[budget][multi_scope]") {
  multi_scope_ledger l{{10'000, 1000, 500}, day0};
  l.restore({"global", day0 - 1, 700});
  l.restore({"global", day0, 200});
  l.restore({"key:a", day0 - 1, 300});
  l.restore({"key:a", day0, 100});
  l.restore({"daily:19000", day0, 999}); // never stored: ignored
  l.restore({"other", day0, 999});
  CHECK(l.global().spent == 900);
  CHECK(l.daily().spent == 200);
  CHECK(key_balance_of(l, "a").spent == 400);
  CHECK(l.keys().size() == 1);
  CHECK_FALSE(l.reserve("a", 101).granted);

  auto totals = l.add_to_day_totals("a", 50);
  REQUIRE(totals.size() == 2);
  CHECK(totals[0].scope == "global");
  CHECK(totals[0].day == day0);
  CHECK(totals[0].nanos == 250);
  CHECK(totals[1].scope == "key:a");
  CHECK(totals[1].nanos == 150);
  auto no_key = l.add_to_day_totals("", 10);
  REQUIRE(no_key.size() == 1);
  CHECK(no_key[0].nanos == 260);
  // A new day starts its totals from zero.
  l.roll_to(day0 + 1);
  auto next = l.add_to_day_totals("b", 5);
  CHECK(next[0].day == day0 + 1);
  CHECK(next[0].nanos == 5);
  CHECK(next[1].scope == "key:b");
  CHECK(next[1].nanos == 5);
}

TEST_CASE("scope names in the store and across a cluster", "[budget]") {
  CHECK(global_scope_name() == "global");
  CHECK(daily_scope_name(19000) == "daily:19000");
  CHECK(key_scope_name("team-a") == "key:team-a");
  CHECK(kind_of_scope("global") == budget_scope_kind::global);
  CHECK(kind_of_scope("daily:3") == budget_scope_kind::daily);
  CHECK(kind_of_scope("key:x") == budget_scope_kind::key);
  CHECK_FALSE(kind_of_scope("daily"));
  CHECK_FALSE(kind_of_scope("globals"));
  CHECK(key_of_scope("key:a:b") == "a:b");
  CHECK(key_of_scope("global").empty());
}

// -- interleavings ------------------------------------------------------------

namespace {

/// What one scope should hold, kept by hand.
struct scope_model {
  usd_nanos cap = 0;
  usd_nanos spent = 0;
  usd_nanos reserved = 0;

  [[nodiscard]] bool fits(usd_nanos amount) const {
    return amount >= 0 && spent + reserved + amount <= cap;
  }
  [[nodiscard]] usd_nanos left() const {
    return std::max<usd_nanos>(0, cap - spent - reserved);
  }
};

/// The ledger's caps, spend and reservations kept by hand: the scopes a
/// call touches, all or none.
struct ledger_model {
  budget_caps caps; // every cap set
  scope_model global;
  scope_model daily;
  std::map<std::string, scope_model> keys;
  std::map<std::string, usd_nanos> own_caps;

  explicit ledger_model(budget_caps c)
    : caps(c), global{*c.global}, daily{*c.daily} {
  }

  scope_model& key(const std::string& k) {
    auto i = keys.find(k);
    if (i == keys.end())
      i = keys.emplace(k, scope_model{*caps.per_key}).first;
    return i->second;
  }

  std::vector<scope_model*> scopes(const std::string& k) {
    std::vector<scope_model*> out{&global, &daily};
    if (!k.empty())
      out.push_back(&key(k));
    return out;
  }
};

/// One step of a generated interleaving.
struct step {
  enum kind_t { reserve, settle, release, next_day, key_cap } kind;
  std::size_t call = 0; ///< reserve, settle, release: whose
  usd_nanos amount = 0; ///< reserve: worst case; settle: actual; key_cap: cap
  std::string key;      ///< key_cap: whose (a negative amount takes it away)
};

struct call {
  std::string key;
  std::optional<budget_reservation> held;
  usd_nanos worst = 0;
};

/// Runs the steps on a ledger and on the model, and checks after each one
/// that they agree scope by scope.
void run_and_compare(const std::vector<step>& steps, std::vector<call> calls,
                     budget_caps caps) {
  multi_scope_ledger l{caps, day0};
  ledger_model m{caps};
  auto day = day0;
  for (const auto& s : steps) {
    switch (s.kind) {
      case step::reserve: {
        auto& c = calls[s.call];
        auto scopes = m.scopes(c.key);
        std::optional<budget_scope_kind> refused;
        usd_nanos least = std::numeric_limits<usd_nanos>::max();
        for (std::size_t i = 0; i < scopes.size(); ++i) {
          least = std::min(least, scopes[i]->left());
          if (!refused && !scopes[i]->fits(s.amount))
            refused = static_cast<budget_scope_kind>(i);
        }
        auto r = l.reserve(c.key, s.amount);
        REQUIRE(r.granted == !refused);
        REQUIRE(r.refused_by == refused);
        REQUIRE(r.remaining == least);
        if (r.granted) {
          for (auto* scope : scopes)
            scope->reserved += s.amount;
          c.held = r;
          c.worst = s.amount;
        }
        break;
      }
      case step::settle:
      case step::release: {
        auto& c = calls[s.call];
        if (!c.held)
          break;
        for (auto* scope : m.scopes(c.key)) {
          scope->reserved -= c.worst;
          if (s.kind == step::settle)
            scope->spent += std::max<usd_nanos>(s.amount, 0);
        }
        if (s.kind == step::settle)
          l.settle(c.key, c.held->ids, s.amount);
        else
          l.release(c.key, c.held->ids);
        c.held.reset();
        break;
      }
      case step::next_day:
        REQUIRE(l.roll_to(++day));
        m.daily.spent = 0;
        break;
      case step::key_cap:
        if (s.amount < 0) {
          l.set_key_cap(s.key, std::nullopt);
          m.key(s.key).cap = *caps.per_key;
        } else {
          l.set_key_cap(s.key, s.amount);
          m.key(s.key).cap = s.amount;
        }
        break;
    }
    auto same = [](const budget_balance& b, const scope_model& sm) {
      return b.spent == sm.spent && b.reserved == sm.reserved
             && b.cap == sm.cap;
    };
    REQUIRE(same(l.global(), m.global));
    REQUIRE(same(l.daily(), m.daily));
    auto ks = l.keys();
    REQUIRE(ks.size() == m.keys.size());
    for (const auto& k : ks)
      REQUIRE(same(k.balance, m.keys.at(k.key)));
    // All or nothing: every scope holds exactly the calls that hold a grant.
    std::size_t held = 0;
    for (const auto& c : calls)
      held += c.held ? 1 : 0;
    REQUIRE(l.global().open_reservations == held);
    REQUIRE(l.daily().open_reservations == held);
  }
}

} // namespace

TEST_CASE("reservations across scopes never exceed a cap under any "
          "interleaving",
          "[budget][multi_scope][property]") {
  SECTION("every ordering of 4 calls' reserve and settle or release steps") {
    // Two calls share key a, one has key b, one has none; the daily cap
    // holds two of them at once, key a's cap one.
    budget_caps caps{1200, 1000, 600};
    std::vector<call> calls{{"a", {}, 0}, {"a", {}, 0}, {"b", {}, 0},
                            {"", {}, 0}};
    std::vector<step> steps{
      {step::reserve, 0, 400, {}}, {step::settle, 0, 250, {}},
      {step::reserve, 1, 400, {}}, {step::release, 1, 0, {}},
      {step::reserve, 2, 300, {}}, {step::settle, 2, 300, {}},
      {step::reserve, 3, 500, {}}, {step::settle, 3, 100, {}},
    };
    std::vector<std::size_t> order(steps.size());
    std::iota(order.begin(), order.end(), 0);
    std::size_t valid = 0;
    do {
      bool ok = true;
      for (std::size_t c = 0; c < calls.size() && ok; ++c) {
        auto r = std::find(order.begin(), order.end(), 2 * c);
        auto s = std::find(order.begin(), order.end(), 2 * c + 1);
        ok = r < s;
      }
      if (!ok)
        continue;
      ++valid;
      std::vector<step> seq;
      for (auto i : order)
        seq.push_back(steps[i]);
      run_and_compare(seq, calls, caps);
      // Without overruns, no scope ever holds more than its cap.
      multi_scope_ledger l{caps, day0};
      std::vector<std::optional<budget_reservation>> held(calls.size());
      for (const auto& s : seq) {
        const auto& key = calls[s.call].key;
        if (s.kind == step::reserve) {
          auto r = l.reserve(key, s.amount);
          if (r.granted)
            held[s.call] = r;
        } else if (held[s.call]) {
          if (s.kind == step::settle)
            l.settle(key, held[s.call]->ids, s.amount);
          else
            l.release(key, held[s.call]->ids);
          held[s.call].reset();
        }
        REQUIRE(l.global().spent + l.global().reserved <= *caps.global);
        REQUIRE(l.daily().spent + l.daily().reserved <= *caps.daily);
        for (const auto& k : l.keys())
          REQUIRE(k.balance.spent + k.balance.reserved <= *k.balance.cap);
      }
    } while (std::next_permutation(order.begin(), order.end()));
    CHECK(valid == 2520); // 8! / 2^4
  }
  SECTION("random interleavings with new days, cap changes and overruns") {
    const std::vector<std::string> keys{"", "a", "b", "c"};
    for (std::uint32_t seed = 1; seed <= 300; ++seed) {
      std::mt19937_64 rng{seed};
      auto below = [&rng](usd_nanos n) {
        return static_cast<usd_nanos>(rng() % static_cast<std::uint64_t>(n));
      };
      budget_caps caps{1 + below(40'000), 1 + below(20'000), 1 + below(8'000)};
      const std::size_t n = 40;
      std::vector<call> calls(n);
      std::vector<int> stage(n, 0);
      std::vector<usd_nanos> worst(n);
      for (std::size_t c = 0; c < n; ++c) {
        calls[c].key = keys[rng() % keys.size()];
        worst[c] = below(3000);
      }
      std::vector<step> steps;
      while (true) {
        std::vector<std::size_t> live;
        for (std::size_t c = 0; c < n; ++c)
          if (stage[c] < 2)
            live.push_back(c);
        if (live.empty())
          break;
        if (rng() % 20 == 0)
          steps.push_back({step::next_day, 0, 0, {}});
        if (rng() % 15 == 0)
          steps.push_back({step::key_cap, 0,
                           rng() % 3 == 0 ? -1 : below(8'000),
                           keys[1 + rng() % (keys.size() - 1)]});
        auto c = live[rng() % live.size()];
        if (stage[c] == 0) {
          steps.push_back({step::reserve, c, worst[c], {}});
        } else if (rng() % 5 == 0) {
          steps.push_back({step::release, c, 0, {}});
        } else {
          // Up to half again the reservation: a provider may bill more.
          steps.push_back({step::settle, c, below(worst[c] * 3 / 2 + 1), {}});
        }
        ++stage[c];
      }
      run_and_compare(steps, calls, caps);
    }
  }
}
