#pragma once

// A RocksDB file system that remembers what a power cut would keep: per file
// written through it, how many bytes were appended and how many of those a
// Sync or Fsync made durable, and whether the file's directory entry was made
// durable by an fsync of its directory. `write_crash_image` copies a live
// database directory as the disk would hold it after a power cut now.
//
// A SIGKILLed process keeps its page cache, so a kill test proves only that
// a write happened before the acknowledgement; this proves it was synced.
// Debian does not ship RocksDB's FaultInjectionTestFS headers; this is the
// part of it the store's durability tests need.

#include <rocksdb/file_system.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace switchyard::test {

/// What a power cut would keep of one file written through the wrapper.
struct tracked_file {
  /// Bytes handed to the OS (appended, or positioned-appended past the end).
  std::atomic<std::uint64_t> written{0};
  /// Bytes a completed Sync or Fsync covered: what survives the power cut.
  std::atomic<std::uint64_t> synced{0};
  /// Whether the directory was fsynced since the file got its name; if not,
  /// the name itself may be gone after the power cut (POSIX).
  bool linked = false; // guarded by the file system's mutex
};

/// What `write_crash_image` kept and dropped.
struct crash_image_summary {
  std::size_t files_copied = 0;
  /// Files created or renamed after their directory's last fsync.
  std::size_t files_dropped = 0;
  /// Unsynced tails cut off the files that were copied.
  std::uint64_t bytes_dropped = 0;
  /// Empty on success.
  std::string error;
};

class crash_simulating_file_system : public rocksdb::FileSystemWrapper {
public:
  explicit crash_simulating_file_system(
    std::shared_ptr<rocksdb::FileSystem> target
    = rocksdb::FileSystem::Default());

  const char* Name() const override {
    return "switchyard.crash_simulating_file_system";
  }

  // -- what RocksDB calls -----------------------------------------------------

  rocksdb::IOStatus NewWritableFile(const std::string& name,
                                    const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* out,
                                    rocksdb::IODebugContext* dbg) override;

  rocksdb::IOStatus
  ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& opts,
                     std::unique_ptr<rocksdb::FSWritableFile>* out,
                     rocksdb::IODebugContext* dbg) override;

  rocksdb::IOStatus
  ReuseWritableFile(const std::string& name, const std::string& old_name,
                    const rocksdb::FileOptions& opts,
                    std::unique_ptr<rocksdb::FSWritableFile>* out,
                    rocksdb::IODebugContext* dbg) override;

  rocksdb::IOStatus NewDirectory(const std::string& name,
                                 const rocksdb::IOOptions& opts,
                                 std::unique_ptr<rocksdb::FSDirectory>* out,
                                 rocksdb::IODebugContext* dbg) override;

  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;

  rocksdb::IOStatus DeleteFile(const std::string& name,
                               const rocksdb::IOOptions& opts,
                               rocksdb::IODebugContext* dbg) override;

  // -- the simulated power cut ------------------------------------------------

  /// Called by a tracked directory after a successful fsync: every file
  /// named in it so far keeps its name through a power cut.
  void directory_synced(const std::string& dir);

  /// Copies the regular files of `live_dir` into `image_dir` (created) as a
  /// power cut now would leave them: each tracked file cut to its synced
  /// length, files whose directory entry was never synced left out, files
  /// not written through this wrapper copied whole. The database may stay
  /// open meanwhile; nothing it writes is disturbed.
  [[nodiscard]] crash_image_summary
  write_crash_image(const std::string& live_dir,
                    const std::string& image_dir) const;

private:
  /// A fresh record for a file (re)created under `name`, named but not yet
  /// linked durably.
  std::shared_ptr<tracked_file> track_new(const std::string& name);

  mutable std::mutex mutex_;
  /// By normalized path.
  std::map<std::string, std::shared_ptr<tracked_file>> files_;
};

} // namespace switchyard::test
