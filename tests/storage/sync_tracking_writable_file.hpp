#pragma once

// A writable file that reports to its `tracked_file` how many bytes were
// handed to the OS and how many a completed Sync or Fsync made durable.

#include "crash_simulating_file_system.hpp"

#include <rocksdb/file_system.h>

#include <algorithm>
#include <memory>

namespace switchyard::test {

class sync_tracking_writable_file : public rocksdb::FSWritableFileOwnerWrapper {
public:
  sync_tracking_writable_file(std::unique_ptr<rocksdb::FSWritableFile> target,
                              std::shared_ptr<tracked_file> state)
    : FSWritableFileOwnerWrapper(std::move(target)), state_(std::move(state)) {
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& opts,
                           rocksdb::IODebugContext* dbg) override {
    auto s = target()->Append(data, opts, dbg);
    if (s.ok())
      state_->written += data.size();
    return s;
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& opts,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    auto s = target()->Append(data, opts, info, dbg);
    if (s.ok())
      state_->written += data.size();
    return s;
  }

  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     std::uint64_t offset,
                                     const rocksdb::IOOptions& opts,
                                     rocksdb::IODebugContext* dbg) override {
    auto s = target()->PositionedAppend(data, offset, opts, dbg);
    if (s.ok())
      raise(state_->written, offset + data.size());
    return s;
  }

  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     std::uint64_t offset,
                                     const rocksdb::IOOptions& opts,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    auto s = target()->PositionedAppend(data, offset, opts, info, dbg);
    if (s.ok())
      raise(state_->written, offset + data.size());
    return s;
  }

  rocksdb::IOStatus Truncate(std::uint64_t size,
                             const rocksdb::IOOptions& opts,
                             rocksdb::IODebugContext* dbg) override {
    auto s = target()->Truncate(size, opts, dbg);
    if (s.ok()) {
      state_->written = size;
      // A shorter file after the power cut, whether or not this was synced.
      if (state_->synced > size)
        state_->synced = size;
    }
    return s;
  }

  rocksdb::IOStatus Sync(const rocksdb::IOOptions& opts,
                         rocksdb::IODebugContext* dbg) override {
    // Only what was written before the sync began is known to be covered.
    auto upto = state_->written.load();
    auto s = target()->Sync(opts, dbg);
    if (s.ok())
      raise(state_->synced, upto);
    return s;
  }

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& opts,
                          rocksdb::IODebugContext* dbg) override {
    auto upto = state_->written.load();
    auto s = target()->Fsync(opts, dbg);
    if (s.ok())
      raise(state_->synced, upto);
    return s;
  }

  // RangeSync is left to the wrapper: sync_file_range only starts
  // write-back (no drive cache flush, no metadata), so it makes nothing
  // durable, and RocksDB does not count on it either.

private:
  /// Raises `counter` to at least `to` (a WAL may be synced from two threads).
  static void raise(std::atomic<std::uint64_t>& counter, std::uint64_t to) {
    auto seen = counter.load();
    while (seen < to && !counter.compare_exchange_weak(seen, to)) {
    }
  }

  std::shared_ptr<tracked_file> state_;
};

} // namespace switchyard::test
