#include "full_disk_file_system.hpp"

#include "full_disk_writable_file.hpp"

namespace switchyard::test {

full_disk_file_system::full_disk_file_system(
  std::shared_ptr<rocksdb::FileSystem> target)
  : FileSystemWrapper(std::move(target)) {
  // nop
}

rocksdb::IOStatus full_disk_file_system::space_for_write() {
  if (!full())
    return rocksdb::IOStatus::OK();
  refused_.fetch_add(1, std::memory_order_relaxed);
  return rocksdb::IOStatus::NoSpace("simulated full disk");
}

rocksdb::IOStatus full_disk_file_system::wrapped(
  rocksdb::IOStatus opened, std::unique_ptr<rocksdb::FSWritableFile>& file,
  std::unique_ptr<rocksdb::FSWritableFile>* out) {
  if (opened.ok())
    *out = std::make_unique<full_disk_writable_file>(std::move(file), this);
  return opened;
}

rocksdb::IOStatus full_disk_file_system::NewWritableFile(
  const std::string& name, const rocksdb::FileOptions& opts,
  std::unique_ptr<rocksdb::FSWritableFile>* out, rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  return wrapped(target()->NewWritableFile(name, opts, &file, dbg), file, out);
}

rocksdb::IOStatus full_disk_file_system::ReopenWritableFile(
  const std::string& name, const rocksdb::FileOptions& opts,
  std::unique_ptr<rocksdb::FSWritableFile>* out, rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  return wrapped(target()->ReopenWritableFile(name, opts, &file, dbg), file,
                 out);
}

rocksdb::IOStatus full_disk_file_system::ReuseWritableFile(
  const std::string& name, const std::string& old_name,
  const rocksdb::FileOptions& opts,
  std::unique_ptr<rocksdb::FSWritableFile>* out, rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  return wrapped(target()->ReuseWritableFile(name, old_name, opts, &file, dbg),
                 file, out);
}

} // namespace switchyard::test
