// Acknowledged feedback survives a power cut, not only a SIGKILL: a store
// writes through a file system that keeps only what was synced, its
// directory is copied as a power cut would leave it, and the copy opens
// with every acknowledged feedback in it. The control shows the copy really
// loses what was not synced: the same writes without sync are gone.
#include "switchyard/clock/function_time.hpp"
#include "crash_simulating_file_system.hpp"
#include "temp_dir.hpp"

#include "switchyard/storage/store.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace switchyard;
using namespace switchyard::storage;
using switchyard::test::crash_image_summary;
using switchyard::test::crash_simulating_file_system;
using switchyard::test::temp_dir;

namespace {

/// The store's clock: records are well within retention.
constexpr std::int64_t now_ms = 1'750'000'000'000;

feedback_record feedback(std::uint64_t decision_id) {
  feedback_record f;
  f.decision_id = decision_id;
  f.received_unix_ms = now_ms;
  // Tells each record apart when it is read back.
  f.report.quality = static_cast<double>(decision_id) / 64.0;
  f.model = "gpt-4o-mini";
  return f;
}

decision_record decision(std::uint64_t id) {
  decision_record r;
  r.decision_id = id;
  r.created_unix_ms = now_ms;
  r.task.text = "written after the feedback, never synced";
  decision_round round;
  round.decision.config_hash = 42;
  r.rounds.push_back(round);
  return r;
}

struct power_cut_outcome {
  /// Feedback whose write returned success.
  std::vector<std::uint64_t> acknowledged;
  /// Of those, the ones the store opened from the image holds.
  std::vector<std::uint64_t> survived;
  /// Whether the decision written last, without sync, survived.
  bool unsynced_decision_survived = false;
  crash_image_summary image;
};

/// Writes feedback one record at a time and in one batch (the storage
/// actor's way), then a decision without sync; cuts the power while the
/// store is still open (closing it could flush and sync); opens the image.
power_cut_outcome write_then_cut_power(bool sync_feedback) {
  temp_dir dir;
  auto fs = std::make_shared<crash_simulating_file_system>();
  store_options o;
  o.path = dir.sub("live");
  o.sync_feedback = sync_feedback;
  o.sync_decisions = false;
  o.sync_learning = false;
  o.time = std::make_shared<function_time>([] { return now_ms; });
  o.file_system = fs;
  power_cut_outcome out;
  auto live = store::open(o);
  REQUIRE(live);
  for (std::uint64_t id = 1; id <= 8; ++id)
    if ((*live)->put_feedback(feedback(id)))
      out.acknowledged.push_back(id);
  store_batch batch;
  for (std::uint64_t id = 9; id <= 16; ++id)
    batch.put_feedback(feedback(id), (*live)->next_sequence());
  if ((*live)->write(batch))
    for (std::uint64_t id = 9; id <= 16; ++id)
      out.acknowledged.push_back(id);
  REQUIRE((*live)->put_decision(decision(100)));
  // The decision reads back from the live store: it reached the WAL.
  REQUIRE((*live)->get_decision(100));

  auto image_dir = dir.sub("after_power_cut");
  out.image = fs->write_crash_image(o.path, image_dir);
  REQUIRE(out.image.error.empty());
  live->reset();

  store_options after;
  after.path = image_dir;
  after.time = o.time;
  auto reopened = store::open(after);
  REQUIRE(reopened);
  for (auto id : out.acknowledged) {
    auto fb = (*reopened)->feedback_for(id);
    REQUIRE(fb);
    if (fb->size() == 1 && fb->front().report.quality
        && *fb->front().report.quality == *feedback(id).report.quality)
      out.survived.push_back(id);
  }
  out.unsynced_decision_survived = static_cast<bool>(
    (*reopened)->get_decision(100));
  return out;
}

} // namespace

TEST_CASE("acknowledged feedback survives a power cut: it was synced",
          "[storage][durability][sync]") {
  auto out = write_then_cut_power(true);
  INFO("image: " << out.image.files_copied << " files copied, "
                 << out.image.files_dropped << " dropped, "
                 << out.image.bytes_dropped << " unsynced bytes cut");
  REQUIRE(out.acknowledged.size() == 16);
  CHECK(out.survived == out.acknowledged);
  // The same image lost the decision written after them without sync: the
  // power cut is real for whatever was not synced.
  CHECK_FALSE(out.unsynced_decision_survived);
  CHECK(out.image.bytes_dropped > 0);
}

TEST_CASE("without sync the same writes are lost at a power cut (control)",
          "[storage][durability][sync]") {
  auto out = write_then_cut_power(false);
  INFO("image: " << out.image.files_copied << " files copied, "
                 << out.image.files_dropped << " dropped, "
                 << out.image.bytes_dropped << " unsynced bytes cut");
  // Acknowledged all the same: only the sync tells them apart.
  REQUIRE(out.acknowledged.size() == 16);
  CHECK(out.survived.empty());
  CHECK_FALSE(out.unsynced_decision_survived);
  CHECK(out.image.bytes_dropped > 0);
}
