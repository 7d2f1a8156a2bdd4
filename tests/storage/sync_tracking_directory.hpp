#pragma once

// A directory handle that tells the crash-simulating file system when an
// fsync made the names in it durable.

#include "crash_simulating_file_system.hpp"

#include <rocksdb/file_system.h>

#include <memory>
#include <string>

namespace switchyard::test {

class sync_tracking_directory : public rocksdb::FSDirectoryWrapper {
public:
  sync_tracking_directory(std::unique_ptr<rocksdb::FSDirectory> target,
                          crash_simulating_file_system* fs, std::string path)
    : FSDirectoryWrapper(std::move(target)), fs_(fs), path_(std::move(path)) {
  }

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& opts,
                          rocksdb::IODebugContext* dbg) override {
    auto s = FSDirectoryWrapper::Fsync(opts, dbg);
    if (s.ok())
      fs_->directory_synced(path_);
    return s;
  }

  rocksdb::IOStatus
  FsyncWithDirOptions(const rocksdb::IOOptions& opts,
                      rocksdb::IODebugContext* dbg,
                      const rocksdb::DirFsyncOptions& dir_opts) override {
    auto s = FSDirectoryWrapper::FsyncWithDirOptions(opts, dbg, dir_opts);
    if (s.ok())
      fs_->directory_synced(path_);
    return s;
  }

private:
  /// Outlives every handle: RocksDB holds the file system until it closes.
  crash_simulating_file_system* fs_;
  std::string path_;
};

} // namespace switchyard::test
