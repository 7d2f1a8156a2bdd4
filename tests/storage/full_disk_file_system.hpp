#pragma once

// A RocksDB file system whose disk can be declared full: while it is, every
// write that would take space (an append, a sync, a preallocation) fails
// with IOStatus::NoSpace, as write(2) and fdatasync(2) fail with ENOSPC on a
// full disk. Creating, renaming and deleting files still work, as they do on
// a full tmpfs, where a name costs no data block. Reads are untouched.
//
// RocksDB's fault-injection file system does this too, but Debian does not
// install its headers; this is the part of it the full-disk test needs.

#include <rocksdb/file_system.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace switchyard::test {

class full_disk_file_system : public rocksdb::FileSystemWrapper {
public:
  explicit full_disk_file_system(std::shared_ptr<rocksdb::FileSystem> target
                                 = rocksdb::FileSystem::Default());

  const char* Name() const override {
    return "switchyard.full_disk_file_system";
  }

  // -- the switch -------------------------------------------------------------

  /// Fills (true) or frees (false) the simulated disk; takes effect for the
  /// next write of every open file.
  void set_full(bool full) noexcept {
    full_.store(full, std::memory_order_release);
  }

  [[nodiscard]] bool full() const noexcept {
    return full_.load(std::memory_order_acquire);
  }

  /// Writes refused so far: proves the store really wrote while the disk
  /// was full, rather than answering from memory.
  [[nodiscard]] std::uint64_t refused() const noexcept {
    return refused_.load(std::memory_order_relaxed);
  }

  /// What a writable file's write gets: NoSpace (counted) while the disk is
  /// full, OK otherwise.
  [[nodiscard]] rocksdb::IOStatus space_for_write();

  // -- what RocksDB calls -----------------------------------------------------

  rocksdb::IOStatus
  NewWritableFile(const std::string& name, const rocksdb::FileOptions& opts,
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

private:
  /// Wraps a file the target opened, when it opened one.
  rocksdb::IOStatus wrapped(rocksdb::IOStatus opened,
                            std::unique_ptr<rocksdb::FSWritableFile>& file,
                            std::unique_ptr<rocksdb::FSWritableFile>* out);

  std::atomic<bool> full_{false};
  std::atomic<std::uint64_t> refused_{0};
};

} // namespace switchyard::test
