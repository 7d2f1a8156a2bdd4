// The store's size cap: past storage.max_bytes the oldest decisions (and
// their feedback) are evicted first, and the log keeps going.

#include "switchyard/clock/function_time.hpp"
#include "switchyard/storage/store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <random>

using namespace switchyard;

namespace {

/// A decision whose text does not compress: ~300 bytes on disk each.
decision_record decision(std::uint64_t id, std::mt19937_64& rng) {
  decision_record r;
  r.decision_id = id;
  r.created_unix_ms = 1'750'000'000'000;
  std::string text;
  for (int i = 0; i < 300; ++i)
    text.push_back(static_cast<char>('a' + rng() % 26));
  r.task.text = text;
  return r;
}

std::uint64_t log_bytes(storage::store& db) {
  auto sizes = db.sizes(false);
  REQUIRE(sizes);
  std::uint64_t total = 0;
  for (const auto& s : *sizes)
    if (s.family == storage::column::decisions
        || s.family == storage::column::feedback
        || s.family == storage::column::inputs
        || s.family == storage::column::spend)
      total += s.bytes;
  return total;
}

} // namespace

TEST_CASE("past its size cap the store evicts the oldest decisions first",
          "[storage][size_cap]") {
  test::temp_dir dir;
  storage::store_options o;
  o.path = dir.path();
  o.time = std::make_shared<function_time>([] {
    return std::int64_t{1'750'000'000'000};
  });
  o.max_bytes = 256 * 1024;
  auto opened = storage::store::open(o);
  REQUIRE(opened);
  auto& db = **opened;
  CHECK(db.max_bytes() == 256 * 1024);
  std::mt19937_64 rng{7};
  constexpr std::uint64_t n = 4'000;
  for (std::uint64_t id = 1; id <= n; ++id) {
    storage::store_batch b;
    b.put_decision(decision(id, rng));
    REQUIRE(db.write(b));
  }
  feedback_record fb;
  fb.decision_id = 1;
  fb.report.rating = 5;
  REQUIRE(db.put_feedback(fb));
  // Under the cap nothing goes; written out, the log is well over it.
  auto before = log_bytes(db);
  REQUIRE(before > 256 * 1024);
  auto evicted = db.enforce_size_cap();
  REQUIRE(evicted);
  CHECK(*evicted > 0);
  CHECK(*evicted < n);
  CHECK(log_bytes(db) <= 256 * 1024);
  // The oldest are gone with their feedback; the newest stay.
  CHECK(error_code_of(db.get_decision(1).error()) == error_code::not_found);
  auto fbs = db.feedback_for(1);
  REQUIRE(fbs);
  CHECK(fbs->empty());
  CHECK(error_code_of(db.get_decision(*evicted).error())
        == error_code::not_found);
  CHECK(db.get_decision(*evicted + 1));
  CHECK(db.get_decision(n));
  // Under the cap again: nothing more to evict.
  auto again = db.enforce_size_cap();
  REQUIRE(again);
  CHECK(*again == 0);
}

TEST_CASE("without a configured cap the store takes half its file system, "
          "and 0 means none",
          "[storage][size_cap]") {
  test::temp_dir dir;
  storage::store_options o;
  o.path = dir.path();
  {
    auto db = storage::store::open(o);
    REQUIRE(db);
    CHECK((*db)->max_bytes() > 0);
  }
  o.max_bytes = 0;
  auto db = storage::store::open(o);
  REQUIRE(db);
  CHECK((*db)->max_bytes() == 0);
  auto evicted = (*db)->enforce_size_cap();
  REQUIRE(evicted);
  CHECK(*evicted == 0);
}
