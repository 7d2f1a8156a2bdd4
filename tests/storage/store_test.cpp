// The store on a real RocksDB in a temporary directory.
#include "switchyard/clock/function_time.hpp"
#include "sample_records.hpp"
#include "temp_dir.hpp"

#include "switchyard/config/registry_loader.hpp"
#include "switchyard/storage/store.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>

using namespace switchyard;
using namespace switchyard::storage;
using switchyard::test::temp_dir;

namespace {

constexpr std::int64_t day_ms = 24 * 3600 * 1000;

std::unique_ptr<store> open_at(const std::string& path,
                               std::function<std::int64_t()> clock = {},
                               bool read_only = false) {
  store_options o;
  o.path = path;
  o.read_only = read_only;
  if (clock)
    o.time = std::make_shared<function_time>(std::move(clock));
  auto s = store::open(std::move(o));
  if (!s)
    FAIL(error_message(s.error()));
  return std::move(*s);
}

decision_record decision(std::uint64_t id, std::int64_t created_unix_ms) {
  return switchyard::test::sample_decision(id, created_unix_ms);
}

feedback_record feedback(std::uint64_t id, double quality) {
  feedback_record f;
  f.decision_id = id;
  f.received_unix_ms = 1'700'000'000'000;
  f.report.quality = quality;
  return f;
}

} // namespace

TEST_CASE("every kind of record survives closing and reopening the store",
          "[storage]") {
  temp_dir dir;
  auto reg = config::parse_registry(config::default_registry_yaml(),
                                    "config/models.yaml", [](std::string_view) {
                                      return std::optional<std::string>{};
                                    });
  REQUIRE(reg.registry);
  auto now = std::int64_t{1'700'000'000'000};
  {
    auto db = open_at(dir.path(), [now] { return now; });
    store_batch b;
    engine::learned_entry cell;
    cell.model = "gpt-4o";
    cell.type = engine::task_type::analysis;
    engine::apply_outcome(cell.cell, true, 300, 5000, 1.7e9, {});
    b.put_learned(cell);
    b.put_decision(decision(5, now));
    b.put_decision(decision(3, now));
    b.put_ledger({"global", 19'675, 1'000});
    b.put_ledger({"key:key_a", 19'675, 400});
    experiment_state e;
    e.spec.id = "ab";
    e.spec.arms = {{"a", "gpt-4o"}, {"b", "gpt-4o-mini"}};
    e.arms.resize(2);
    b.put_experiment(e);
    b.put_registry(*reg.registry);
    REQUIRE(db->write(b));
    REQUIRE(db->put_feedback(feedback(5, 0.5)));
    REQUIRE(db->put_feedback(feedback(5, 0.75)));
    REQUIRE(db->put_feedback(feedback(6, 1.0)));
  }
  auto db = open_at(dir.path(), [now] { return now; });
  auto cells = db->load_learned();
  REQUIRE(cells);
  REQUIRE(cells->size() == 1);
  CHECK(cells->front().model == "gpt-4o");
  CHECK(cells->front().cell.calls.count == 1.0);
  auto d = db->get_decision(5);
  REQUIRE(d);
  CHECK(d->task.text == "task 5");
  CHECK(db->last_decision_id() == std::uint64_t{5});
  auto missing = db->get_decision(4);
  REQUIRE_FALSE(missing);
  CHECK(error_code_of(missing.error()) == error_code::not_found);
  auto fb = db->feedback_for(5);
  REQUIRE(fb);
  REQUIRE(fb->size() == 2);
  CHECK(fb->at(0).report.quality == 0.5); // in arrival order
  CHECK(fb->at(1).report.quality == 0.75);
  auto ledger = db->load_ledger();
  REQUIRE(ledger);
  CHECK(ledger->size() == 2);
  auto experiments = db->load_experiments();
  REQUIRE(experiments);
  REQUIRE(experiments->size() == 1);
  CHECK(experiments->front().spec.arms[1].model == "gpt-4o-mini");
  auto logged_reg = db->get_registry(reg.registry->config_hash);
  REQUIRE(logged_reg);
  CHECK(logged_reg->models.size() == reg.registry->models.size());
  std::vector<std::uint64_t> ids;
  REQUIRE(db->for_each_decision([&](decision_record& r) {
    ids.push_back(r.decision_id);
    return true;
  }));
  CHECK(ids == std::vector<std::uint64_t>{3, 5});
}

TEST_CASE("a plan's steps survive closing and reopening the store, with the "
          "shared inputs each step's rounds read",
          "[storage][plan]") {
  temp_dir dir;
  auto now = std::int64_t{1'700'000'000'000};
  auto rec = switchyard::test::full_plan_decision();
  rec.created_unix_ms = now;
  // The synthesis read inputs of its own: stored beside the task's.
  auto& synthesis = rec.steps[2].rounds[0].decision.inputs;
  synthesis.recorded = true;
  synthesis.performance = {{0.25, 10.0, 0.5, 2.0, 0.1}};
  synthesis.breaker_open = {1, 0};
  synthesis.budget_remaining = 777;
  {
    auto db = open_at(dir.path(), [now] { return now; });
    store_batch b;
    b.put_decision(rec);
    b.put_registry(switchyard::test::plans_registry());
    REQUIRE(db->write(b));
  }
  auto db = open_at(dir.path(), [now] { return now; });
  auto back = db->get_decision(rec.decision_id);
  REQUIRE(back);
  CHECK(back->plan == engine::plan_kind::critic);
  CHECK(back->plan_dropped == rec.plan_dropped);
  REQUIRE(back->steps.size() == rec.steps.size());
  for (std::size_t i = 0; i < rec.steps.size(); ++i)
    CHECK(back->steps[i].outcome == rec.steps[i].outcome);
  const auto& research = back->steps[0].rounds.at(0).decision.inputs;
  CHECK(research.recorded);
  CHECK(research.performance.size() == 3);
  CHECK(research.breaker_open
        == rec.steps[0].rounds[0].decision.inputs.breaker_open);
  const auto& own = back->steps[2].rounds.at(0).decision.inputs;
  REQUIRE(own.recorded);
  REQUIRE(own.performance.size() == 1);
  CHECK(own.performance[0].latency_ms == 10.0);
  CHECK(own.breaker_open == synthesis.breaker_open);
  CHECK(own.budget_remaining == 777);
  CHECK_FALSE(back->steps[3].rounds.at(0).decision.inputs.recorded);
  auto reg = db->get_registry(switchyard::test::plans_registry().config_hash);
  REQUIRE(reg);
  CHECK(reg->plans.max_revisions == 2);
}

TEST_CASE("decisions past the retention are dropped by compaction",
          "[storage][retention]") {
  temp_dir dir;
  auto now = std::make_shared<std::atomic<std::int64_t>>(1'700'000'000'000);
  store_options o;
  o.path = dir.path();
  o.decision_retention = std::chrono::hours{24 * 30};
  o.time = std::make_shared<function_time>([now] { return now->load(); });
  auto opened = store::open(o);
  REQUIRE(opened);
  auto& db = **opened;
  // Decisions 31, 30 (less a minute) and 1 days old.
  REQUIRE(db.put_decision(decision(1, *now - 31 * day_ms)));
  REQUIRE(db.put_decision(decision(2, *now - 30 * day_ms + 60'000)));
  REQUIRE(db.put_decision(decision(3, *now - day_ms)));
  CHECK(db.raw_count(column::decisions) == std::uint64_t{3});
  // Reads skip the expired one at once...
  auto expired = db.get_decision(1);
  REQUIRE_FALSE(expired);
  CHECK_THAT(error_message(expired.error()), Catch::Contains("retention"));
  CHECK(db.get_decision(2));
  // ...and the compaction filter drops it from the files.
  REQUIRE(db.compact_expired());
  CHECK(db.raw_count(column::decisions) == std::uint64_t{2});
  // Two minutes later the second one has expired too.
  *now += 120'000;
  REQUIRE(db.compact_expired());
  CHECK(db.raw_count(column::decisions) == std::uint64_t{1});
  CHECK(db.get_decision(3));
}

TEST_CASE("feedback past its retention is skipped by reads and dropped by "
          "compaction",
          "[storage][retention]") {
  temp_dir dir;
  auto now = std::make_shared<std::atomic<std::int64_t>>(1'700'000'000'000);
  store_options o;
  o.path = dir.path();
  o.decision_retention = std::chrono::hours{24 * 30};
  o.feedback_retention = std::chrono::hours{24 * 7};
  o.time = std::make_shared<function_time>([now] { return now->load(); });
  auto opened = store::open(o);
  REQUIRE(opened);
  auto& db = **opened;
  auto feedback = [&](std::uint64_t decision_id, std::int64_t received) {
    feedback_record r;
    r.decision_id = decision_id;
    r.received_unix_ms = received;
    r.report.quality = 0.5;
    r.model = "gpt-4o";
    REQUIRE(db.put_feedback(r));
  };
  // Received 8 days ago (past the week) and 6 days ago, on one decision.
  feedback(4, *now - 8 * day_ms);
  feedback(4, *now - 6 * day_ms);
  CHECK(db.raw_count(column::feedback) == std::uint64_t{2});
  auto kept = db.feedback_for(4);
  REQUIRE(kept);
  REQUIRE(kept->size() == 1);
  CHECK(kept->front().received_unix_ms == *now - 6 * day_ms);
  std::size_t seen = 0;
  REQUIRE(db.for_each_feedback([&](feedback_record&) {
    ++seen;
    return true;
  }));
  CHECK(seen == 1);
  REQUIRE(db.compact_expired());
  CHECK(db.raw_count(column::feedback) == std::uint64_t{1});
  *now += 2 * day_ms;
  REQUIRE(db.compact_expired());
  CHECK(db.raw_count(column::feedback) == std::uint64_t{0});
}

TEST_CASE("a second writer is refused with a clear message, while readers "
          "may open beside the writer",
          "[storage]") {
  temp_dir dir;
  auto writer = open_at(dir.path());
  REQUIRE(writer->put_decision(decision(9, 1'700'000'000'000)));
  store_options o;
  o.path = dir.path();
  auto second = store::open(o);
  REQUIRE_FALSE(second);
  CHECK_THAT(error_message(second.error()),
             Catch::Contains("in use by another switchyard process"));
  auto reader = open_at(dir.path(), [] { return 1'700'000'000'000; }, true);
  auto d = reader->get_decision(9);
  REQUIRE(d);
  CHECK(d->task.text == "task 9");
  auto write = reader->put_decision(decision(10, 1'700'000'000'000));
  CHECK_FALSE(write);
  // No store at all: a reader says where it looked.
  store_options nowhere;
  nowhere.path = dir.sub("none");
  nowhere.read_only = true;
  auto none = store::open(nowhere);
  REQUIRE_FALSE(none);
  CHECK(error_code_of(none.error()) == error_code::not_found);
}

TEST_CASE("API keys are stored hashed, found by secret and revocable",
          "[storage][keys]") {
  temp_dir dir;
  std::string secret;
  std::string id;
  {
    auto db = open_at(dir.path());
    auto k = make_api_key("ci pipeline", false, 1'700'000'000);
    REQUIRE(k);
    k->record.budget_usd = 25.0;
    k->record.requests_per_minute = 120;
    secret = k->secret;
    id = k->record.id;
    CHECK(secret.rfind("sy-", 0) == 0);
    CHECK(id.rfind("key_", 0) == 0);
    REQUIRE(db->put_api_key(k->record));
    auto admin = make_api_key("ops", true, 1'700'000'000);
    REQUIRE(admin);
    REQUIRE(db->put_api_key(admin->record));
  }
  auto db = open_at(dir.path());
  auto found = db->find_api_key(secret);
  REQUIRE(found);
  CHECK(found->id == id);
  CHECK(found->name == "ci pipeline");
  CHECK(found->budget_usd == 25.0);
  CHECK(found->requests_per_minute == std::uint32_t{120});
  CHECK_FALSE(found->admin);
  auto wrong = db->find_api_key("sy-not-a-key");
  REQUIRE_FALSE(wrong);
  CHECK(error_code_of(wrong.error()) == error_code::not_found);
  auto all = db->list_api_keys();
  REQUIRE(all);
  CHECK(all->size() == 2);
  REQUIRE(db->revoke_api_key(id, 1'700'000'100));
  auto revoked = db->get_api_key(id);
  REQUIRE(revoked);
  CHECK(revoked->revoked);
  CHECK(revoked->revoked_unix_s == 1'700'000'100);
  CHECK(db->find_api_key(secret)->revoked);
  CHECK_FALSE(db->revoke_api_key("key_nope", 0));
}
