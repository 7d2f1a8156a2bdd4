// The store on a full disk: a RocksDB file system whose disk is declared
// full refuses every write that takes space. Every write of the store then
// answers an error (never a false success), reads go on, and once space
// returns the store takes writes again by itself, with nobody reopening it.
// Every write acknowledged before and after reads back, from the live store
// and after reopening it.
//
// "By itself" has a period: RocksDB recovers from a full disk on a thread of
// its SstFileManager, which retries every 5 s, and refuses a manual Resume
// meanwhile. So the first write after space returns is repeated until it is
// taken, within a deadline; tests/gateway/full_disk_test.cpp sees the same
// period end to end.
#include "switchyard/clock/function_time.hpp"
#include "full_disk_file_system.hpp"
#include "sample_records.hpp"
#include "recovery_listener.hpp"
#include "temp_dir.hpp"

#include "switchyard/messages/error_code.hpp"
#include "switchyard/storage/api_key.hpp"
#include "switchyard/storage/store.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <csignal>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace switchyard;
using namespace switchyard::storage;
using switchyard::test::full_disk_file_system;
using switchyard::test::temp_dir;

namespace {

/// The store's clock: records are well within retention.
constexpr std::int64_t now_ms = 1'750'000'000'000;

decision_record decision(std::uint64_t id) {
  return switchyard::test::sample_decision(id, now_ms);
}

/// Feedback whose quality tells it apart from other feedback on the same
/// decision when read back.
feedback_record feedback(std::uint64_t decision_id, int tag) {
  feedback_record f;
  f.decision_id = decision_id;
  f.received_unix_ms = now_ms;
  f.report.quality = tag / 1000.0;
  f.model = "gpt-4o-mini";
  return f;
}

std::unique_ptr<store>
open_store(const std::string& path,
           std::shared_ptr<full_disk_file_system> disk = nullptr,
           std::shared_ptr<test::recovery_listener> recovered = nullptr) {
  store_options o;
  o.path = path;
  o.time = std::make_shared<function_time>([] { return now_ms; });
  o.file_system = std::move(disk);
  if (recovered)
    o.listeners.push_back(std::move(recovered));
  auto s = store::open(std::move(o));
  if (!s)
    FAIL(error_message(s.error()));
  return std::move(*s);
}

/// Every write the store acknowledged, one call at a time, so that what
/// it answered is checked on the spot and what it acknowledged is known.
class acknowledged_writes {
public:
  explicit acknowledged_writes(store& db) : db_(&db) {
  }

  /// A decision and feedback on it in one batch (the storage actor's way:
  /// the feedback makes the batch synced).
  caf::expected<void> decision_with_feedback(std::uint64_t id) {
    store_batch b;
    b.put_decision(decision(id), prompt_retention::full);
    auto f = feedback(id, next_tag_++);
    b.put_feedback(f, db_->next_sequence());
    auto r = db_->write(b);
    if (r) {
      decisions_.push_back(id);
      feedback_.push_back(f);
    }
    return r;
  }

  /// Feedback alone (synced), on a decision written earlier.
  caf::expected<void> more_feedback(std::uint64_t decision_id) {
    auto f = feedback(decision_id, next_tag_++);
    auto r = db_->put_feedback(f);
    if (r)
      feedback_.push_back(f);
    return r;
  }

  /// A decision alone: the decision log's write is not synced.
  caf::expected<void> decision_alone(std::uint64_t id) {
    auto r = db_->put_decision(decision(id));
    if (r)
      decisions_.push_back(id);
    return r;
  }

  /// A new API key (synced).
  caf::expected<void> key() {
    auto made = make_api_key("key " + std::to_string(keys_.size()), false,
                             now_ms / 1000);
    REQUIRE(made);
    auto r = db_->put_api_key(made->record);
    if (r)
      keys_.push_back(made->record.id);
    return r;
  }

  /// What of the acknowledged writes `db` does not hold, one line each;
  /// empty when it holds them all.
  std::string missing_from(store& db) const {
    std::string missing;
    for (auto id : decisions_)
      if (auto d = db.get_decision(id);
          !d || d->task.text != decision(id).task.text)
        missing += "decision " + std::to_string(id) + "\n";
    for (const auto& f : feedback_) {
      auto stored = db.feedback_for(f.decision_id);
      bool found = false;
      if (stored)
        for (const auto& s : *stored)
          found = found || (s.report.quality == f.report.quality);
      if (!found)
        missing += "feedback on " + std::to_string(f.decision_id)
                   + " quality " + std::to_string(*f.report.quality) + "\n";
    }
    for (const auto& id : keys_)
      if (!db.get_api_key(id))
        missing += "key " + id + "\n";
    return missing;
  }

  [[nodiscard]] std::size_t count() const noexcept {
    return decisions_.size() + feedback_.size() + keys_.size();
  }

private:
  store* db_;
  int next_tag_ = 1;
  std::vector<std::uint64_t> decisions_;
  std::vector<feedback_record> feedback_;
  std::vector<std::string> keys_;
};

/// The error a write on the full disk must answer: the store's failure,
/// saying the disk is out of space.
void require_refused(const caf::expected<void>& r, const char* what) {
  INFO(what);
  REQUIRE_FALSE(r);
  INFO(error_message(r.error()));
  CHECK(error_code_of(r.error()) == error_code::storage_failure);
  CHECK(error_message(r.error()).find("space") != std::string::npos);
}

/// How long RocksDB may take to recover once space returns: its
/// SstFileManager retries every 5 s; three periods leave room for a loaded
/// machine.
constexpr auto recovery_limit = std::chrono::seconds{15};

/// Repeats `attempt` (a write) until the store takes it or
/// `recovery_limit` passes, waiting between attempts for RocksDB's error
/// recovery to end (`recovered` counts those events); returns how many
/// attempts it took, 0 when none was taken. How many were refused
/// meanwhile, and the first and last refusal, go to `refusals`.
template <class Attempt>
int attempts_until_taken(Attempt attempt, std::string& refusals,
                         test::recovery_listener& recovered) {
  auto deadline = std::chrono::steady_clock::now() + recovery_limit;
  std::string first;
  std::string last;
  auto summary = [&](int refused) {
    return std::to_string(refused) + " refused"
           + (refused > 0 ? ", first: " + first + "\nlast: " + last : "");
  };
  for (int n = 1;; ++n) {
    auto seen = recovered.ended();
    auto r = attempt();
    if (r) {
      refusals = summary(n - 1);
      return n;
    }
    (n == 1 ? first : last) = error_message(r.error());
    if (std::chrono::steady_clock::now() >= deadline) {
      refusals = summary(n);
      return 0;
    }
    recovered.wait_past(seen, deadline);
  }
}

} // namespace

TEST_CASE("a full disk refuses every write with an error, reads go on, and "
          "the store takes writes again by itself once space returns",
          "[storage][full_disk]") {
  temp_dir dir;
  auto disk = std::make_shared<full_disk_file_system>();
  auto recovered = std::make_shared<test::recovery_listener>();
  auto db = open_store(dir.sub("db"), disk, recovered);
  acknowledged_writes written{*db};
  for (std::uint64_t id = 1; id <= 4; ++id)
    REQUIRE(written.decision_with_feedback(id));
  REQUIRE(written.decision_alone(5));
  REQUIRE(written.key());
  REQUIRE(written.more_feedback(5));

  disk->set_full(true);
  // Twice each: the first refusal puts RocksDB in its error state; the
  // others meet that state, and the store's attempt to resume from it.
  for (std::uint64_t id = 10; id <= 11; ++id) {
    require_refused(written.more_feedback(1), "feedback");
    require_refused(written.decision_with_feedback(id), "decision + feedback");
    require_refused(written.decision_alone(id + 10), "decision alone");
    require_refused(written.key(), "API key");
  }
  CHECK(disk->refused() > 0);
  // Reads go on: what was written before the disk filled is all there.
  CHECK(written.missing_from(*db).empty());
  auto last = db->last_decision_id();
  REQUIRE(last);
  CHECK(*last == 5);

  disk->set_full(false);
  // A key first: key writes recover by themselves like the others.
  std::string refusals;
  auto attempts = attempts_until_taken([&] { return written.key(); },
                                       refusals, *recovered);
  INFO("refused while RocksDB recovered:\n" << refusals);
  CHECK(attempts > 0);
  // Once one write is taken, every kind is taken at once.
  CHECK(written.more_feedback(2));
  CHECK(written.decision_with_feedback(30));
  CHECK(written.decision_alone(31));
  CHECK(written.key());
  CHECK(written.more_feedback(31));
  CHECK(written.count() == 18);
  INFO("missing from the live store:\n" << written.missing_from(*db));
  CHECK(written.missing_from(*db).empty());

  db.reset();
  auto reopened = open_store(dir.sub("db"));
  INFO("missing after reopening:\n" << written.missing_from(*reopened));
  CHECK(written.missing_from(*reopened).empty());
}

TEST_CASE("a flush that failed on the full disk, with no write refused, "
          "recovers by itself too once space returns",
          "[storage][full_disk]") {
  temp_dir dir;
  auto disk = std::make_shared<full_disk_file_system>();
  auto recovered = std::make_shared<test::recovery_listener>();
  auto db = open_store(dir.sub("db"), disk, recovered);
  acknowledged_writes written{*db};
  REQUIRE(written.decision_with_feedback(1));

  disk->set_full(true);
  // Writing the memtables out needs a new table file: RocksDB's background
  // error state, entered by a flush rather than by a write.
  auto flushed = db->sizes(false);
  REQUIRE_FALSE(flushed);
  INFO(error_message(flushed.error()));
  CHECK(error_code_of(flushed.error()) == error_code::storage_failure);

  disk->set_full(false);
  std::string refusals;
  auto attempts = attempts_until_taken(
    [&] { return written.more_feedback(1); }, refusals, *recovered);
  INFO("refused while RocksDB recovered:\n" << refusals);
  CHECK(attempts > 0);
  CHECK(written.decision_with_feedback(2));
  INFO("missing from the live store:\n" << written.missing_from(*db));
  CHECK(written.missing_from(*db).empty());
}
