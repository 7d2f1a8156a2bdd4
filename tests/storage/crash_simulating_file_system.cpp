#include "crash_simulating_file_system.hpp"

#include "sync_tracking_directory.hpp"
#include "sync_tracking_writable_file.hpp"

#include <filesystem>
#include <fstream>
#include <system_error>

namespace switchyard::test {

namespace {

/// The key a path is tracked under: RocksDB names files "dir/000004.log"
/// and directories "dir", sometimes with a trailing slash.
std::string normalized(const std::string& path) {
  auto p = std::filesystem::path{path}.lexically_normal().string();
  while (p.size() > 1 && p.back() == '/')
    p.pop_back();
  return p;
}

std::string parent_of(const std::string& normalized_path) {
  return std::filesystem::path{normalized_path}.parent_path().string();
}

} // namespace

crash_simulating_file_system::crash_simulating_file_system(
  std::shared_ptr<rocksdb::FileSystem> target)
  : FileSystemWrapper(target) {
  // nop
}

std::shared_ptr<tracked_file>
crash_simulating_file_system::track_new(const std::string& name) {
  auto state = std::make_shared<tracked_file>();
  std::lock_guard<std::mutex> guard{mutex_};
  files_[normalized(name)] = state;
  return state;
}

// -- what RocksDB calls -------------------------------------------------------

rocksdb::IOStatus crash_simulating_file_system::NewWritableFile(
  const std::string& name, const rocksdb::FileOptions& opts,
  std::unique_ptr<rocksdb::FSWritableFile>* out, rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  auto s = target()->NewWritableFile(name, opts, &file, dbg);
  if (s.ok())
    *out = std::make_unique<sync_tracking_writable_file>(std::move(file),
                                                         track_new(name));
  return s;
}

rocksdb::IOStatus crash_simulating_file_system::ReopenWritableFile(
  const std::string& name, const rocksdb::FileOptions& opts,
  std::unique_ptr<rocksdb::FSWritableFile>* out, rocksdb::IODebugContext* dbg) {
  bool existed = target()->FileExists(name, opts.io_options, dbg).ok();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  auto s = target()->ReopenWritableFile(name, opts, &file, dbg);
  if (!s.ok())
    return s;
  if (!existed) {
    *out = std::make_unique<sync_tracking_writable_file>(std::move(file),
                                                         track_new(name));
    return s;
  }
  std::shared_ptr<tracked_file> state;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto& slot = files_[normalized(name)];
    if (!slot) {
      // Written before this wrapper saw it: count what is there as durable.
      slot = std::make_shared<tracked_file>();
      auto size = file->GetFileSize(rocksdb::IOOptions{}, dbg);
      slot->written = size;
      slot->synced = size;
      slot->linked = true;
    }
    state = slot;
  }
  *out = std::make_unique<sync_tracking_writable_file>(std::move(file),
                                                       std::move(state));
  return s;
}

rocksdb::IOStatus crash_simulating_file_system::ReuseWritableFile(
  const std::string& name, const std::string& old_name,
  const rocksdb::FileOptions& opts,
  std::unique_ptr<rocksdb::FSWritableFile>* out, rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  auto s = target()->ReuseWritableFile(name, old_name, opts, &file, dbg);
  if (!s.ok())
    return s;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    files_.erase(normalized(old_name));
  }
  // A recycled file starts over under its new name.
  *out = std::make_unique<sync_tracking_writable_file>(std::move(file),
                                                       track_new(name));
  return s;
}

rocksdb::IOStatus crash_simulating_file_system::NewDirectory(
  const std::string& name, const rocksdb::IOOptions& opts,
  std::unique_ptr<rocksdb::FSDirectory>* out, rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  auto s = target()->NewDirectory(name, opts, &dir, dbg);
  if (s.ok())
    *out = std::make_unique<sync_tracking_directory>(std::move(dir), this,
                                                     normalized(name));
  return s;
}

rocksdb::IOStatus crash_simulating_file_system::RenameFile(
  const std::string& from, const std::string& to,
  const rocksdb::IOOptions& opts, rocksdb::IODebugContext* dbg) {
  auto s = target()->RenameFile(from, to, opts, dbg);
  if (!s.ok())
    return s;
  std::lock_guard<std::mutex> guard{mutex_};
  auto source = files_.find(normalized(from));
  std::shared_ptr<tracked_file> state;
  if (source != files_.end()) {
    state = source->second;
    files_.erase(source);
  } else {
    // Not written through the wrapper: its contents count as durable.
    state = std::make_shared<tracked_file>();
    std::uint64_t size = 0;
    target()->GetFileSize(to, opts, &size, dbg).PermitUncheckedError();
    state->written = size;
    state->synced = size;
  }
  // The new name is durable only once the directory is synced. (Simplified:
  // a power cut before that loses the file under either name, where a real
  // one would leave whatever `to` named before.)
  state->linked = false;
  files_[normalized(to)] = std::move(state);
  return s;
}

rocksdb::IOStatus crash_simulating_file_system::DeleteFile(
  const std::string& name, const rocksdb::IOOptions& opts,
  rocksdb::IODebugContext* dbg) {
  auto s = target()->DeleteFile(name, opts, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> guard{mutex_};
    files_.erase(normalized(name));
  }
  return s;
}

// -- the simulated power cut --------------------------------------------------

void crash_simulating_file_system::directory_synced(const std::string& dir) {
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto& [path, state] : files_)
    if (parent_of(path) == dir)
      state->linked = true;
}

crash_image_summary
crash_simulating_file_system::write_crash_image(const std::string& live_dir,
                                                const std::string& image_dir) const {
  crash_image_summary summary;
  std::error_code ec;
  std::filesystem::create_directories(image_dir, ec);
  if (ec) {
    summary.error = "cannot create '" + image_dir + "': " + ec.message();
    return summary;
  }
  // No rename, creation or deletion while the image is taken.
  std::lock_guard<std::mutex> guard{mutex_};
  for (const auto& entry : std::filesystem::directory_iterator{live_dir, ec}) {
    if (!entry.is_regular_file())
      continue;
    auto path = normalized(entry.path().string());
    auto size = entry.file_size();
    auto keep = size;
    if (auto i = files_.find(path); i != files_.end()) {
      if (!i->second->linked) {
        ++summary.files_dropped;
        continue;
      }
      keep = std::min<std::uint64_t>(size, i->second->synced.load());
    }
    std::ifstream in{path, std::ios::binary};
    std::ofstream out{image_dir + "/" + entry.path().filename().string(),
                      std::ios::binary | std::ios::trunc};
    std::string bytes(static_cast<std::size_t>(keep), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(keep));
    out.write(bytes.data(), static_cast<std::streamsize>(keep));
    if (!in || !out) {
      summary.error = "cannot copy '" + path + "' into '" + image_dir + "'";
      return summary;
    }
    ++summary.files_copied;
    summary.bytes_dropped += size - keep;
  }
  if (ec)
    summary.error = "cannot list '" + live_dir + "': " + ec.message();
  return summary;
}

} // namespace switchyard::test
