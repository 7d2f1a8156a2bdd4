#pragma once

// A writable file that asks its full_disk_file_system for space before each
// write that would take some, and fails the way a full disk does when there
// is none.

#include "full_disk_file_system.hpp"

#include <rocksdb/file_system.h>

#include <cstdint>
#include <memory>

namespace switchyard::test {

class full_disk_writable_file : public rocksdb::FSWritableFileOwnerWrapper {
public:
  full_disk_writable_file(std::unique_ptr<rocksdb::FSWritableFile> target,
                          full_disk_file_system* disk)
    : FSWritableFileOwnerWrapper(std::move(target)), disk_(disk) {
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& opts,
                           rocksdb::IODebugContext* dbg) override {
    if (auto s = disk_->space_for_write(); !s.ok())
      return s;
    return target()->Append(data, opts, dbg);
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& opts,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (auto s = disk_->space_for_write(); !s.ok())
      return s;
    return target()->Append(data, opts, info, dbg);
  }

  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     std::uint64_t offset,
                                     const rocksdb::IOOptions& opts,
                                     rocksdb::IODebugContext* dbg) override {
    if (auto s = disk_->space_for_write(); !s.ok())
      return s;
    return target()->PositionedAppend(data, offset, opts, dbg);
  }

  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     std::uint64_t offset,
                                     const rocksdb::IOOptions& opts,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    if (auto s = disk_->space_for_write(); !s.ok())
      return s;
    return target()->PositionedAppend(data, offset, opts, info, dbg);
  }

  // A sync fails too: with delayed allocation (ext4, xfs) write(2) may
  // succeed on a full disk and the ENOSPC come from fdatasync(2).

  rocksdb::IOStatus Sync(const rocksdb::IOOptions& opts,
                         rocksdb::IODebugContext* dbg) override {
    if (auto s = disk_->space_for_write(); !s.ok())
      return s;
    return target()->Sync(opts, dbg);
  }

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& opts,
                          rocksdb::IODebugContext* dbg) override {
    if (auto s = disk_->space_for_write(); !s.ok())
      return s;
    return target()->Fsync(opts, dbg);
  }

  rocksdb::IOStatus Allocate(std::uint64_t offset, std::uint64_t len,
                             const rocksdb::IOOptions& opts,
                             rocksdb::IODebugContext* dbg) override {
    if (auto s = disk_->space_for_write(); !s.ok())
      return s;
    return target()->Allocate(offset, len, opts, dbg);
  }

  // Truncate and Close pass through: giving space back needs none.

private:
  /// Outlives every file: RocksDB holds the file system until it closes.
  full_disk_file_system* disk_;
};

} // namespace switchyard::test
