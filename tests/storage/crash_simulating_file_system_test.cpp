// The power-cut file system itself: what its image keeps of a file depends
// only on what was synced, the file's contents and its directory entry.
#include "crash_simulating_file_system.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

using switchyard::test::crash_simulating_file_system;
using switchyard::test::temp_dir;

namespace {

std::unique_ptr<rocksdb::FSWritableFile>
create(crash_simulating_file_system& fs, const std::string& path) {
  std::unique_ptr<rocksdb::FSWritableFile> f;
  REQUIRE(fs.NewWritableFile(path, rocksdb::FileOptions{}, &f, nullptr).ok());
  return f;
}

void append(rocksdb::FSWritableFile& f, const std::string& bytes) {
  REQUIRE(f.Append(bytes, rocksdb::IOOptions{}, nullptr).ok());
  REQUIRE(f.Flush(rocksdb::IOOptions{}, nullptr).ok());
}

void sync_directory(crash_simulating_file_system& fs, const std::string& dir) {
  std::unique_ptr<rocksdb::FSDirectory> d;
  REQUIRE(fs.NewDirectory(dir, rocksdb::IOOptions{}, &d, nullptr).ok());
  REQUIRE(d->Fsync(rocksdb::IOOptions{}, nullptr).ok());
}

std::string contents(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

} // namespace

TEST_CASE("a power cut keeps synced bytes and synced names, nothing else",
          "[storage][sync]") {
  temp_dir dir;
  auto live = dir.sub("live");
  std::filesystem::create_directories(live);
  crash_simulating_file_system fs;

  auto synced = create(fs, live + "/synced");
  append(*synced, "kept");
  REQUIRE(synced->Sync(rocksdb::IOOptions{}, nullptr).ok());
  append(*synced, "-lost");
  auto never_synced = create(fs, live + "/never_synced");
  append(*never_synced, "lost");
  // A range sync only starts write-back: nothing durable.
  REQUIRE(never_synced->RangeSync(0, 4, rocksdb::IOOptions{}, nullptr).ok());
  sync_directory(fs, live);
  // Synced itself, but created after its directory's last fsync.
  auto unlinked = create(fs, live + "/unlinked");
  append(*unlinked, "data");
  REQUIRE(unlinked->Fsync(rocksdb::IOOptions{}, nullptr).ok());
  // Written before the wrapper saw it: copied as it is.
  std::ofstream{live + "/foreign"} << "untouched";

  auto image = fs.write_crash_image(live, dir.sub("image"));
  REQUIRE(image.error.empty());
  // Everything is still on the live side (the page cache survives a kill).
  CHECK(contents(live + "/synced") == "kept-lost");
  CHECK(contents(dir.sub("image") + "/synced") == "kept");
  CHECK(contents(dir.sub("image") + "/never_synced").empty());
  CHECK_FALSE(std::filesystem::exists(dir.sub("image") + "/unlinked"));
  CHECK(contents(dir.sub("image") + "/foreign") == "untouched");
  CHECK(image.files_copied == 3);
  CHECK(image.files_dropped == 1);
  CHECK(image.bytes_dropped == 9); // "-lost" and "lost"

  // A rename needs its directory synced again; a deleted file is gone.
  REQUIRE(fs.RenameFile(live + "/synced", live + "/renamed",
                        rocksdb::IOOptions{}, nullptr)
            .ok());
  REQUIRE(fs.DeleteFile(live + "/never_synced", rocksdb::IOOptions{}, nullptr)
            .ok());
  auto before_sync = fs.write_crash_image(live, dir.sub("image2"));
  CHECK_FALSE(std::filesystem::exists(dir.sub("image2") + "/renamed"));
  CHECK_FALSE(std::filesystem::exists(dir.sub("image2") + "/never_synced"));
  sync_directory(fs, live);
  auto after_sync = fs.write_crash_image(live, dir.sub("image3"));
  CHECK(contents(dir.sub("image3") + "/renamed") == "kept");
  CHECK(contents(dir.sub("image3") + "/unlinked") == "data");
  CHECK(before_sync.error.empty());
  CHECK(after_sync.error.empty());
}
