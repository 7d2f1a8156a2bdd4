// Pages of the decision log: newest first, by cursor, reading about `limit`
// records whatever the size of the log.
#include "switchyard/clock/function_time.hpp"
#include "temp_dir.hpp"

#include "switchyard/storage/decision_listing.hpp"
#include "switchyard/storage/task_history.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace switchyard;
using namespace switchyard::storage;
using switchyard::test::temp_dir;

namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

engine::registry two_models() {
  engine::registry reg;
  engine::provider_spec p;
  p.id = "acme";
  reg.providers.push_back(p);
  for (auto id : {"small", "large"}) {
    engine::model_spec m;
    m.id = id;
    m.provider = "acme";
    m.cost_per_1k_input = 1.0;
    m.cost_per_1k_output = 2.0;
    m.quality = m.id == "large" ? 0.9 : 0.5;
    reg.models.push_back(m);
  }
  return reg;
}

/// Decision `id`, made `id` seconds after t0, answered by model 0 after a
/// failed attempt on model 1 every 10th time.
decision_record decision(std::uint64_t id) {
  decision_record r;
  r.decision_id = id;
  r.created_unix_ms = t0 + static_cast<std::int64_t>(id) * 1000;
  r.execute = true;
  decision_round round;
  round.decision.rule = engine::selection_rule::smallest_capable;
  round.decision.model = id % 10 == 0 ? 1 : 0;
  round.decision.cls.type = engine::task_type::testing;
  r.rounds.push_back(round);
  if (id % 10 == 0)
    r.attempts.push_back({1, engine::call_error::server_error, 1.0, 0});
  r.attempts.push_back({0, engine::call_error::none, 2.0, 1000});
  r.answered = true;
  r.answered_by = 0;
  r.cost_nanos = 1000;
  r.input_tokens = 100;
  r.output_tokens = 50;
  return r;
}

std::unique_ptr<store> filled_store(const std::string& path, std::uint64_t n,
                                    std::int64_t now) {
  store_options o;
  o.path = path;
  o.time = std::make_shared<function_time>([now] { return now; });
  auto db = store::open(std::move(o));
  REQUIRE(db);
  for (std::uint64_t first = 1; first <= n; first += 1000) {
    store_batch b;
    for (auto id = first; id < first + 1000 && id <= n; ++id)
      b.put_decision(decision(id));
    REQUIRE((*db)->write(b));
  }
  return std::move(*db);
}

} // namespace

TEST_CASE("a page of the decision log reads the page, not the log",
          "[storage][dashboard]") {
  temp_dir dir;
  constexpr std::uint64_t n = 20'000;
  auto db = filled_store(dir.path(), n, t0 + n * 1000);
  auto reg = two_models();

  auto first = list_decisions(*db, reg, 0, 0, 50);
  REQUIRE(first);
  REQUIRE(first->rows.size() == 50);
  CHECK(first->rows.front().decision_id == n);
  CHECK(first->rows.back().decision_id == n - 49);
  CHECK(first->more);
  // The page and the one record that says there is more: O(limit), with
  // 20,000 decisions in the store.
  CHECK(first->records_read == 51);

  // From the middle of the log, by cursor.
  auto middle = list_decisions(*db, reg, 10'001, 0, 25);
  REQUIRE(middle);
  REQUIRE(middle->rows.size() == 25);
  CHECK(middle->rows.front().decision_id == 10'000);
  CHECK(middle->records_read == 26);
  const auto& fell_back = middle->rows.front(); // id % 10 == 0
  CHECK(fell_back.model == "small");
  CHECK(fell_back.attempts == 2);
  CHECK(fell_back.fallbacks == 1);
  CHECK(fell_back.type == engine::task_type::testing);
  CHECK(middle->rows[1].fallbacks == 0);

  // Newer than a cursor: what a live view polls for.
  auto newer = list_decisions(*db, reg, 0, n - 3, 100);
  REQUIRE(newer);
  REQUIRE(newer->rows.size() == 3);
  CHECK(newer->rows.front().decision_id == n);
  CHECK_FALSE(newer->more);
  CHECK(newer->records_read == 3);

  // The oldest page says there is no more.
  auto last = list_decisions(*db, reg, 3, 0, 10);
  REQUIRE(last);
  CHECK(last->rows.size() == 2);
  CHECK_FALSE(last->more);
}

TEST_CASE("decisions past the retention are skipped in pages",
          "[storage][dashboard]") {
  temp_dir dir;
  // "Now" is 31 days after t0: decisions 1-99 (made ~t0) are expired.
  auto now = t0 + 31LL * 24 * 3600 * 1000;
  auto db = filled_store(dir.path(), 100, now);
  {
    store_batch b;
    auto fresh = decision(200);
    fresh.created_unix_ms = now - 1000;
    b.put_decision(fresh);
    REQUIRE(db->write(b));
  }
  auto page = list_decisions(*db, two_models(), 0, 0, 10);
  REQUIRE(page);
  REQUIRE(page->rows.size() == 1);
  CHECK(page->rows.front().decision_id == 200);
}

TEST_CASE("recent task history reads only its window, newest first",
          "[storage][dashboard]") {
  temp_dir dir;
  constexpr std::uint64_t n = 5'000;
  auto db = filled_store(dir.path(), n, t0 + n * 1000);
  bool truncated = true;
  // The last 100 s: decisions 4901-5000.
  auto tasks = load_recent_task_history(*db, two_models(),
                                        t0 + (n - 99) * 1000, 1000, truncated);
  REQUIRE(tasks);
  CHECK(tasks->size() == 100);
  CHECK_FALSE(truncated);
  CHECK(tasks->front().decision_id == n);
  auto capped = load_recent_task_history(*db, two_models(), t0, 10, truncated);
  REQUIRE(capped);
  CHECK(capped->size() == 10);
  CHECK(truncated);
}

TEST_CASE("spend rollups sum to what the decisions themselves give",
          "[storage][dashboard]") {
  temp_dir dir;
  constexpr std::uint64_t n = 5'000; // 5,000 s: 84 minutes, 2 hours
  auto now = t0 + static_cast<std::int64_t>(n) * 1000;
  auto db = filled_store(dir.path(), n, now);
  auto reg = two_models();
  auto all = load_task_history(*db, reg);
  REQUIRE(all);
  auto from_s = t0 / 1000 - 7200;
  auto to_s = now / 1000;
  for (auto [width, bucket_s] :
       {std::pair{rollup_width::minute, std::int64_t{60}},
        std::pair{rollup_width::hour, std::int64_t{3600}},
        std::pair{rollup_width::hour, std::int64_t{86400}}}) {
    std::uint64_t tasks = 0;
    auto rolled = load_spend_rollups(*db, reg, width, from_s, to_s, tasks);
    REQUIRE(rolled);
    CHECK(tasks == n);
    // One record per bucket, not per decision.
    CHECK(rolled->size() <= (n / seconds_of(width)) + 2);
    auto want = engine::spend_over_time(*all, reg, from_s, to_s, bucket_s);
    auto got = engine::spend_over_time(*rolled, reg, from_s, to_s, bucket_s);
    CHECK(got.starts == want.starts);
    CHECK(got.total == want.total);
    CHECK(got.answered == want.answered);
    // Token sums priced once per bucket, not per task: within 1 nano a task.
    REQUIRE(got.always_best.size() == want.always_best.size());
    for (std::size_t i = 0; i < got.always_best.size(); ++i)
      CHECK(std::abs(got.always_best[i] - want.always_best[i])
            <= static_cast<engine::usd_nanos>(n));
    REQUIRE(got.by_model.size() == want.by_model.size());
    for (std::size_t i = 0; i < got.by_model.size(); ++i) {
      CHECK(got.by_model[i].name == want.by_model[i].name);
      CHECK(got.by_model[i].spent == want.by_model[i].spent);
    }
    REQUIRE(got.by_provider.size() == 1);
    CHECK(got.by_provider[0].spent == want.by_provider[0].spent);
  }
}

TEST_CASE("learned samples survive reopening the store, oldest first",
          "[storage][dashboard]") {
  temp_dir dir;
  {
    auto db = filled_store(dir.path(), 0, t0);
    for (std::uint64_t i = 0; i < 5; ++i) {
      learned_sample_record s;
      s.unix_ms = t0 + static_cast<std::int64_t>(i) * 5000;
      s.cells.push_back({"small", engine::task_type::testing,
                         0.5 + 0.1 * static_cast<double>(i), 120.0, 0.5,
                         static_cast<double>(i + 1), 0.2});
      // A ring of 3 slots: samples 3 and 4 replace 0 and 1.
      REQUIRE(db->put_learned_sample(s, i % 3));
    }
  }
  auto db = filled_store(dir.path(), 0, t0);
  auto samples = db->load_learned_samples();
  REQUIRE(samples);
  REQUIRE(samples->size() == 3);
  CHECK((*samples)[0].unix_ms == t0 + 2 * 5000);
  CHECK((*samples)[2].unix_ms == t0 + 4 * 5000);
  REQUIRE((*samples)[2].cells.size() == 1);
  CHECK((*samples)[2].cells[0].model == "small");
  CHECK((*samples)[2].cells[0].type == engine::task_type::testing);
  CHECK((*samples)[2].cells[0].success == Approx(0.9));
  CHECK((*samples)[2].cells[0].samples == 5.0);
}

TEST_CASE("a batch merges its decisions' spend once per rollup bucket",
          "[storage][dashboard]") {
  temp_dir dir;
  auto db = filled_store(dir.path(), 0, t0 + 60'000);
  // Decisions 1-30 fall in one minute (t0 is 20 s into its minute) and one
  // hour.
  store_batch b;
  for (std::uint64_t id = 1; id <= 30; ++id)
    b.put_decision(decision(id));
  CHECK(b.spend_merges().size() == 2);
  REQUIRE(db->write(b));
  std::uint64_t tasks = 0;
  auto rolled = load_spend_rollups(*db, two_models(), rollup_width::minute,
                                   t0 / 1000 - 60, t0 / 1000 + 60, tasks);
  REQUIRE(rolled);
  CHECK(tasks == 30);
}
