#include "switchyard/engine/budget_ledger.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

using namespace switchyard::engine;

TEST_CASE("a reservation that does not fit is refused", "[budget]") {
  budget_ledger l{1000};
  auto a = l.reserve(600);
  REQUIRE(a);
  CHECK_FALSE(l.reserve(401));
  auto b = l.reserve(400);
  REQUIRE(b);
  CHECK(l.remaining() == 0);
  CHECK(l.settle(*a, 100));
  CHECK(l.spent() == 100);
  CHECK(l.reserved() == 400);
  CHECK(l.remaining() == 500);
  CHECK(l.release(*b));
  CHECK(l.remaining() == 900);
  CHECK_FALSE(l.settle(*a, 1));
  CHECK_FALSE(l.release(*b));
  CHECK_FALSE(l.reserve(-1));
}

TEST_CASE("an overrun is recorded and blocks later reservations",
          "[budget]") {
  budget_ledger l{1000};
  auto a = l.reserve(100);
  REQUIRE(a);
  l.settle(*a, 1200);
  CHECK(l.spent() == 1200);
  CHECK(l.remaining() == 0);
  CHECK_FALSE(l.reserve(0 + 1));
}

TEST_CASE("a reservation granted elsewhere is held even beyond the cap",
          "[budget]") {
  budget_ledger l{1000};
  auto a = l.hold(1500);
  CHECK(l.reserved() == 1500);
  CHECK(l.remaining() == 0);
  CHECK_FALSE(l.reserve(0 + 1));
  CHECK(l.release(a));
  CHECK(l.reserve(1000));
}

TEST_CASE("spending counted elsewhere replaces the ledger's own", "[budget]") {
  budget_ledger l{1000};
  auto a = l.reserve(300);
  REQUIRE(a);
  l.set_spent(600);
  CHECK(l.spent() == 600);
  CHECK(l.reserved() == 300);
  CHECK(l.remaining() == 100);
  CHECK_FALSE(l.reserve(101));
  l.set_spent(0);
  CHECK(l.remaining() == 700);
}

namespace {

/// One step of a generated interleaving.
struct op {
  enum kind_t { reserve, settle, release } kind;
  std::size_t call;   ///< which concurrent call it belongs to
  usd_nanos amount;   ///< reserve: worst case; settle: actual (<= worst case)
};

/// Runs the interleaving and checks the invariant after every step.
void run_and_check(const std::vector<op>& ops, usd_nanos cap,
                   std::size_t calls) {
  budget_ledger l{cap};
  std::vector<std::optional<reservation_id>> ids(calls);
  usd_nanos settled = 0;
  for (const auto& o : ops) {
    switch (o.kind) {
      case op::reserve:
        ids[o.call] = l.reserve(o.amount);
        break;
      case op::settle:
        if (ids[o.call] && l.settle(*ids[o.call], o.amount))
          settled += o.amount;
        ids[o.call].reset();
        break;
      case op::release:
        if (ids[o.call])
          l.release(*ids[o.call]);
        ids[o.call].reset();
        break;
    }
    REQUIRE(l.spent() + l.reserved() <= cap);
    REQUIRE(l.spent() == settled);
    REQUIRE(l.reserved() >= 0);
  }
}

} // namespace

TEST_CASE("reservations never exceed the cap under any interleaving",
          "[budget][property]") {
  SECTION("every ordering of 4 calls' reserve and settle steps") {
    // Each call reserves 400 and settles 250; the cap holds two at once.
    std::vector<op> ops;
    for (std::size_t c = 0; c < 4; ++c) {
      ops.push_back({op::reserve, c, 400});
      ops.push_back({op::settle, c, 250});
    }
    std::vector<std::size_t> order(ops.size());
    std::iota(order.begin(), order.end(), 0);
    std::size_t valid = 0;
    do {
      // Keep orderings where each call reserves before it settles.
      bool ok = true;
      for (std::size_t c = 0; c < 4 && ok; ++c) {
        auto r = std::find(order.begin(), order.end(), 2 * c);
        auto s = std::find(order.begin(), order.end(), 2 * c + 1);
        ok = r < s;
      }
      if (!ok)
        continue;
      ++valid;
      std::vector<op> seq;
      for (auto i : order)
        seq.push_back(ops[i]);
      run_and_check(seq, 1000, 4);
    } while (std::next_permutation(order.begin(), order.end()));
    CHECK(valid == 2520); // 8! / 2^4
  }
  SECTION("random interleavings of many calls") {
    for (std::uint32_t seed = 1; seed <= 300; ++seed) {
      std::mt19937_64 rng{seed};
      const std::size_t calls = 40;
      usd_nanos cap = 1 + static_cast<usd_nanos>(rng() % 50'000);
      std::vector<op> ops;
      std::vector<int> stage(calls, 0);
      std::vector<usd_nanos> worst(calls);
      for (auto& w : worst)
        w = static_cast<usd_nanos>(rng() % 5'000);
      while (true) {
        std::vector<std::size_t> live;
        for (std::size_t c = 0; c < calls; ++c)
          if (stage[c] < 2)
            live.push_back(c);
        if (live.empty())
          break;
        auto c = live[rng() % live.size()];
        if (stage[c] == 0) {
          ops.push_back({op::reserve, c, worst[c]});
        } else {
          bool release = rng() % 5 == 0;
          auto actual = worst[c] == 0
                          ? 0
                          : static_cast<usd_nanos>(rng()
                                                   % static_cast<std::uint64_t>(
                                                     worst[c] + 1));
          ops.push_back({release ? op::release : op::settle, c, actual});
        }
        ++stage[c];
      }
      run_and_check(ops, cap, calls);
    }
  }
}
