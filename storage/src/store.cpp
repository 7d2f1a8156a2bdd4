#include "switchyard/storage/store.hpp"

#include "switchyard/clock/system_time.hpp"

#include "switchyard/messages/decision_id.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/storage/record_codec.hpp"
#include "switchyard/storage/spend_rollup.hpp"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/table.h>
#include <rocksdb/cache.h>
#include <rocksdb/write_buffer_manager.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/status.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdarg>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <system_error>
#include <limits>
#include <sys/statvfs.h>
#include <unistd.h>

namespace switchyard::storage {

namespace {

// -- the one place where RocksDB's Status becomes our error -------------------

caf::error to_error(const rocksdb::Status& s, std::string_view what) {
  auto code = s.IsNotFound() ? error_code::not_found
              : s.IsCorruption() ? error_code::corrupt_data
                                 : error_code::storage_failure;
  return caf::make_error(code, std::string{what} + ": " + s.ToString());
}

caf::expected<void> checked(const rocksdb::Status& s, std::string_view what) {
  if (s.ok())
    return {};
  return to_error(s, what);
}

caf::error not_found(std::string what) {
  return caf::make_error(error_code::not_found, std::move(what));
}

rocksdb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}

std::string_view view(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

/// Drops records stamped before now - retention (decisions by admission,
/// feedback by receipt). Reads only the stamp at the front of each value.
/// Const and stateless apart from the clock, so concurrent compactions may
/// share it.
/// One column family's memtable, all memtables together, and the block
/// cache every column family shares.
constexpr std::size_t store_memtable_bytes = 8u << 20;
constexpr std::size_t store_memtables_bytes = 32u << 20;
constexpr std::size_t store_block_cache_bytes = 8u << 20;

std::uint64_t read_big_endian(std::string_view key) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8 && i < key.size(); ++i)
    v = (v << 8) | static_cast<unsigned char>(key[i]);
  return v;
}

/// Blocks compressed with LZ4 (cheap enough for the write path) and the
/// bottommost level, where most of the log ends up after compaction, with
/// ZSTD; whichever of them this librocksdb was built with (Debian's has
/// both), else Snappy, else none.
void apply_compression(rocksdb::ColumnFamilyOptions& cf) {
  auto supported = rocksdb::GetSupportedCompressions();
  auto has = [&](rocksdb::CompressionType t) {
    return std::find(supported.begin(), supported.end(), t) != supported.end();
  };
  auto fast = has(rocksdb::kLZ4Compression)      ? rocksdb::kLZ4Compression
              : has(rocksdb::kSnappyCompression) ? rocksdb::kSnappyCompression
                                                 : rocksdb::kNoCompression;
  cf.compression = fast;
  cf.bottommost_compression = has(rocksdb::kZSTD) ? rocksdb::kZSTD : fast;
}

/// RocksDB's own info log: a stdio file in the data directory whose write
/// errors are ignored. RocksDB's file writer asserts (Debian builds it with
/// assertions on) at the first log line after the disk filled, which would
/// take the whole node down exactly when it must keep answering.
class stdio_logger : public rocksdb::Logger {
public:
  explicit stdio_logger(const std::string& path)
    : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL),
      file_(std::fopen(path.c_str(), "a")) {
  }

  ~stdio_logger() override {
    if (file_ != nullptr)
      std::fclose(file_);
  }

  stdio_logger(const stdio_logger&) = delete;
  stdio_logger& operator=(const stdio_logger&) = delete;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (file_ == nullptr)
      return;
    std::lock_guard<std::mutex> guard{mutex_};
    std::vfprintf(file_, format, ap);
    std::fputc('\n', file_);
    std::fflush(file_);
    std::clearerr(file_);
  }

private:
  std::mutex mutex_;
  std::FILE* file_;
};

class retention_filter : public rocksdb::CompactionFilter {
public:
  using stamp_fn = std::optional<std::int64_t> (*)(std::string_view);

  retention_filter(const char* name, stamp_fn stamp,
                   std::shared_ptr<const engine::time_source> time,
                   std::chrono::milliseconds retention)
    : name_(name),
      stamp_(stamp),
      time_(std::move(time)),
      retention_(retention) {
  }

  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value,
              std::string*, bool*) const override {
    auto stamped = stamp_(view(value));
    // A value this build cannot read is kept: it is not ours to drop.
    return stamped && *stamped < time_->wall_ms() - retention_.count();
  }

  const char* Name() const override {
    return name_;
  }

private:
  const char* name_;
  stamp_fn stamp_;
  std::shared_ptr<const engine::time_source> time_;
  std::chrono::milliseconds retention_;
};

/// Drops spend rollups whose bucket ended before now - retention, as the
/// decisions they sum are dropped.
class spend_retention_filter : public rocksdb::CompactionFilter {
public:
  spend_retention_filter(std::shared_ptr<const engine::time_source> time,
                         std::chrono::milliseconds retention)
    : time_(std::move(time)), retention_(retention) {
  }

  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice&,
              std::string*, bool*) const override {
    auto start = spend_rollup_start(view(key));
    return start
           && (*start + 3600) * 1000 < time_->wall_ms() - retention_.count();
  }

  const char* Name() const override {
    return "switchyard.spend_retention";
  }

private:
  std::shared_ptr<const engine::time_source> time_;
  std::chrono::milliseconds retention_;
};

/// Adds spend rollups. A value this build cannot read wins unchanged over
/// what it is merged with (it is not ours to rewrite).
class spend_merge_operator : public rocksdb::AssociativeMergeOperator {
public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger*) const override {
    if (existing == nullptr) {
      new_value->assign(value.data(), value.size());
      return true;
    }
    auto a = decode_spend_rollup(view(*existing));
    auto b = decode_spend_rollup(view(value));
    if (!a || !b) {
      const auto& keep = a ? value : *existing;
      new_value->assign(keep.data(), keep.size());
      return true;
    }
    a->add(*b);
    *new_value = encode_spend_rollup(*a);
    return true;
  }

  const char* Name() const override {
    return "switchyard.spend_rollup";
  }
};

} // namespace

// -- impl ---------------------------------------------------------------------

struct store::impl {
  store_options opts;
  std::unique_ptr<retention_filter> decision_filter;
  std::unique_ptr<retention_filter> feedback_filter;
  std::unique_ptr<retention_filter> inputs_filter;
  /// Shared routing inputs written lately (hash -> when), so that the
  /// decisions made between two learning snapshots write them once.
  std::mutex inputs_mutex;
  std::unordered_map<std::uint64_t, std::int64_t> recent_inputs;
  std::unique_ptr<spend_retention_filter> spend_filter;
  /// Made from `opts.file_system` when one is given; outlives `db`.
  std::unique_ptr<rocksdb::Env> env;
  std::unique_ptr<rocksdb::DB> db;
  /// Indexed by `column`; null for a column family a read-only store lacks.
  std::array<rocksdb::ColumnFamilyHandle*, column_count> families{};
  /// Column families of a newer build, opened because RocksDB insists.
  std::vector<rocksdb::ColumnFamilyHandle*> foreign_families;
  /// The secondary instance's own directory (read-only mode).
  std::string secondary_path;
  std::atomic<std::uint64_t> sequence{0};
  /// Set when a write failed (a full disk puts RocksDB in a background
  /// error state that refuses every write): the next write first asks
  /// RocksDB to resume, so the store recovers by itself once space returns.
  std::atomic<bool> write_failed{false};
  /// Why the last write failed (what a write answers while RocksDB's own
  /// recovery is still waiting for space).
  std::mutex failure_mutex;
  std::string last_failure;

  /// Before a write, after a failed one: asks RocksDB to resume. While its
  /// space monitor still waits for room (every 5 s, until the free space
  /// exceeds a memtable) that answers Busy: the write is refused with the
  /// original failure.
  caf::expected<void> recover() {
    if (!write_failed.load(std::memory_order_acquire))
      return {};
    auto r = db->Resume();
    if (r.IsBusy()) {
      std::lock_guard<std::mutex> guard{failure_mutex};
      return caf::make_error(error_code::storage_failure, last_failure);
    }
    if (!r.ok())
      return to_error(r, "resuming the store");
    write_failed.store(false, std::memory_order_release);
    return {};
  }

  /// Passes `r` on, remembering a failure for recover().
  caf::expected<void> note(caf::expected<void> r) {
    if (!r) {
      std::lock_guard<std::mutex> guard{failure_mutex};
      last_failure = error_message(r.error());
      write_failed.store(true, std::memory_order_release);
    }
    return r;
  }
  /// Shared by every column family (see open()).
  std::shared_ptr<rocksdb::Cache> block_cache
    = rocksdb::NewLRUCache(store_block_cache_bytes);
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers
    = std::make_shared<rocksdb::WriteBufferManager>(store_memtables_bytes);
  /// store_options::max_bytes resolved at open; 0: no cap.
  std::uint64_t max_bytes = 0;

  ~impl() {
    if (db) {
      for (auto* h : families)
        if (h != nullptr)
          db->DestroyColumnFamilyHandle(h);
      for (auto* h : foreign_families)
        db->DestroyColumnFamilyHandle(h);
      db->Close().PermitUncheckedError();
      db.reset();
    }
    if (!secondary_path.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(secondary_path, ec);
    }
  }

  std::int64_t now_ms() const {
    return opts.time->wall_ms();
  }

  bool expired(std::int64_t created_unix_ms) const {
    auto retention
      = std::chrono::duration_cast<std::chrono::milliseconds>(
          opts.decision_retention)
          .count();
    return created_unix_ms < now_ms() - retention;
  }

  std::chrono::milliseconds feedback_retention() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
      opts.feedback_retention.value_or(opts.decision_retention));
  }

  bool feedback_expired(std::int64_t received_unix_ms) const {
    return received_unix_ms < now_ms() - feedback_retention().count();
  }

  rocksdb::ColumnFamilyHandle* family(column c) const {
    return families[static_cast<std::size_t>(c)];
  }

  /// Whether a content-addressed write must happen: not written in the
  /// last half day (nor earlier in this batch). Holds inputs_mutex.
  bool fresh_input(const store_batch::operation& op,
                   std::vector<std::pair<std::uint64_t, std::int64_t>>& fresh) {
    constexpr std::int64_t refresh_ms = 12 * 3600 * 1000;
    auto stamp = shared_inputs_written_unix_ms(op.value).value_or(0);
    auto hash = read_big_endian(op.key);
    if (auto i = recent_inputs.find(hash);
        i != recent_inputs.end() && stamp - i->second < refresh_ms)
      return false;
    for (const auto& [h, at] : fresh)
      if (h == hash)
        return false;
    fresh.emplace_back(hash, stamp);
    return true;
  }

  void
  remember_inputs(const std::vector<std::pair<std::uint64_t, std::int64_t>>& xs) {
    if (xs.empty())
      return;
    std::lock_guard<std::mutex> guard{inputs_mutex};
    // Bounded: a busy node makes ~20 distinct values a second.
    if (recent_inputs.size() > 65'536)
      recent_inputs.clear();
    for (const auto& [h, at] : xs)
      recent_inputs[h] = at;
  }

  /// The shared inputs of logged decisions, from the `inputs` column.
  shared_inputs_lookup inputs_lookup() {
    return [this](std::uint64_t hash) {
      return get(column::inputs, shared_inputs_key(hash),
                 "shared routing inputs");
    };
  }

  bool synced(const store_batch& b) const {
    return (opts.sync_feedback && b.touches(column::feedback))
           || (opts.sync_ledger && b.touches(column::ledger))
           || (opts.sync_decisions && b.touches(column::decisions))
           || (opts.sync_learning
               && (b.touches(column::performance)
                   || b.touches(column::experiments)));
  }

  /// Reads one value; `not_found` (with `what`) when absent.
  caf::expected<std::string> get(column c, std::string_view key,
                                 std::string_view what) {
    auto* h = family(c);
    if (h == nullptr)
      return not_found(std::string{what} + " not found (the store has no "
                       + std::string{to_string(c)} + " column family)");
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions{}, h, slice(key), &value);
    if (s.IsNotFound())
      return not_found(std::string{what} + " not found");
    if (!s.ok())
      return to_error(s, "reading " + std::string{what});
    return value;
  }

  /// Calls `fn(key, value)` for every entry of `c` starting at `prefix`
  /// while the key has that prefix and `fn` returns true.
  caf::expected<void>
  scan(column c, std::string_view prefix,
       const std::function<bool(std::string_view, std::string_view)>& fn) {
    auto* h = family(c);
    if (h == nullptr)
      return {};
    std::unique_ptr<rocksdb::Iterator> it{
      db->NewIterator(rocksdb::ReadOptions{}, h)};
    for (it->Seek(slice(prefix)); it->Valid(); it->Next()) {
      auto key = view(it->key());
      if (key.substr(0, prefix.size()) != prefix)
        break;
      if (!fn(key, view(it->value())))
        break;
    }
    return checked(it->status(), "scanning " + std::string{to_string(c)});
  }

  /// Decodes each record under `prefix` with `decode(key, value)` (a
  /// caf::expected) and hands it to `fn` until `fn` returns false; the
  /// first record that does not decode stops the scan with its error.
  template <class Decode, class Fn>
  caf::expected<void> scan_records(column c, std::string_view prefix,
                                   Decode decode, Fn fn) {
    caf::error failure;
    auto scanned = scan(c, prefix,
                        [&](std::string_view key, std::string_view value) {
                          auto rec = decode(key, value);
                          if (!rec) {
                            failure = std::move(rec.error());
                            return false;
                          }
                          return fn(*rec);
                        });
    if (!scanned)
      return scanned;
    if (failure)
      return failure;
    return {};
  }

  /// Every record under `prefix` that `keep` accepts, decoded.
  template <class T, class Decode, class Keep>
  caf::expected<std::vector<T>> load_records(column c, std::string_view prefix,
                                             Decode decode, Keep keep) {
    std::vector<T> out;
    auto done = scan_records(c, prefix, decode, [&](T& rec) {
      if (keep(rec))
        out.push_back(std::move(rec));
      return true;
    });
    if (!done)
      return std::move(done.error());
    return out;
  }
};

namespace {

constexpr auto keep_all = [](const auto&) { return true; };

/// Adapts a decoder that reads only the value.
template <class Decode>
auto by_value(Decode decode) {
  return [decode](std::string_view, std::string_view value) {
    return decode(value);
  };
}

} // namespace

store::store(std::unique_ptr<impl> p) : impl_(std::move(p)) {
}

store::~store() = default;

const store_options& store::options() const noexcept {
  return impl_->opts;
}

caf::expected<std::unique_ptr<store>> store::open(store_options opts) {
  auto p = std::make_unique<impl>();
  p->opts = std::move(opts);
  const auto& path = p->opts.path;
  if (path.empty())
    return caf::make_error(error_code::invalid_argument,
                           std::string{"the store needs a data directory"});
  if (p->opts.read_only && !std::filesystem::exists(path + "/CURRENT"))
    return not_found("no switchyard store in '" + path
                     + "' (a runtime or `switchyard serve` with --data-dir "
                       "creates one)");
  p->opts.time = time_or_system(std::move(p->opts.time));
  auto clock = p->opts.time;
  p->decision_filter = std::make_unique<retention_filter>(
    "switchyard.decision_retention", &decision_created_unix_ms, clock,
    std::chrono::duration_cast<std::chrono::milliseconds>(
      p->opts.decision_retention));
  p->feedback_filter = std::make_unique<retention_filter>(
    "switchyard.feedback_retention", &feedback_received_unix_ms, clock,
    p->feedback_retention());

  // Shared inputs outlive the decisions that use them by a day: a value
  // is rewritten (its time refreshed) at least every half day while in use.
  p->inputs_filter = std::make_unique<retention_filter>(
    "switchyard.inputs_retention", &shared_inputs_written_unix_ms, clock,
    std::chrono::duration_cast<std::chrono::milliseconds>(
      p->opts.decision_retention + std::chrono::hours{24}));

  p->spend_filter = std::make_unique<spend_retention_filter>(
    clock, std::chrono::duration_cast<std::chrono::milliseconds>(
             p->opts.decision_retention));

  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = true;
  db_opts.create_missing_column_families = true;
  // Two background threads: flushes and compactions of a router's state
  // are small, and the node's cores belong to routing.
  db_opts.max_background_jobs = 2;
  db_opts.keep_log_file_num = 5;
  if (!p->opts.read_only) {
    std::error_code made;
    std::filesystem::create_directories(path, made);
    db_opts.info_log = std::make_shared<stdio_logger>(path + "/LOG");
  }
  // Memory: RocksDB's defaults (a 64 MB memtable, two of them, and an 8 MB
  // block cache, per column family: nine of each here) let a busy node's
  // RSS wander by hundreds of MB. One budget for every memtable, one shared
  // block cache (bench/README.md, "The store's memory").
  db_opts.write_buffer_manager = p->write_buffers;
  // Write back files and the WAL a MB at a time, not in bursts at each
  // flush or sync: the synced feedback writes stay short.
  db_opts.bytes_per_sync = 1u << 20;
  db_opts.wal_bytes_per_sync = 1u << 20;
  db_opts.listeners = p->opts.listeners;
  if (p->opts.file_system) {
    p->env = rocksdb::NewCompositeEnv(p->opts.file_system);
    db_opts.env = p->env.get();
  }
  if (p->opts.read_only)
    db_opts.max_open_files = -1; // a secondary instance requires it

  auto family_options = [&](std::string_view name) {
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = store_memtable_bytes;
    cf.level_compaction_dynamic_level_bytes = true;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = p->block_cache;
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    if (name == to_string(column::decisions)) {
      cf.compaction_filter = p->decision_filter.get();
      // Let no file escape the filter for more than a day, even when
      // nothing else triggers a compaction.
      cf.periodic_compaction_seconds = 24 * 3600;
    }
    if (name == to_string(column::feedback)) {
      cf.compaction_filter = p->feedback_filter.get();
      cf.periodic_compaction_seconds = 24 * 3600;
    }
    if (name == to_string(column::inputs)) {
      cf.compaction_filter = p->inputs_filter.get();
      cf.periodic_compaction_seconds = 24 * 3600;
    }
    apply_compression(cf);
    if (name == to_string(column::spend)) {
      cf.merge_operator = std::make_shared<spend_merge_operator>();
      cf.compaction_filter = p->spend_filter.get();
      cf.periodic_compaction_seconds = 24 * 3600;
    }
    return cf;
  };

  std::vector<std::string> existing;
  if (std::filesystem::exists(path + "/CURRENT")) {
    auto s = rocksdb::DB::ListColumnFamilies(db_opts, path, &existing);
    if (!s.ok())
      return to_error(s, "opening the store in '" + path + "'");
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  std::vector<int> slot; // column index per descriptor, -1 for foreign
  for (std::size_t c = 0; c < column_count; ++c) {
    std::string name{column_names[c]};
    bool present = std::find(existing.begin(), existing.end(), name)
                   != existing.end();
    // A read-only store can only open what exists; missing ones read empty.
    if (p->opts.read_only && !present && c != 0)
      continue;
    descriptors.emplace_back(name, family_options(name));
    slot.push_back(static_cast<int>(c));
  }
  for (const auto& name : existing) {
    if (std::find(column_names.begin(), column_names.end(), name)
        != column_names.end())
      continue;
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions{});
    slot.push_back(-1);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (p->opts.read_only) {
    // A secondary instance may run beside the writer (a read-only one may
    // not); it needs a directory of its own for its info log.
    auto tmp = std::filesystem::temp_directory_path().string()
               + "/switchyard-reader-XXXXXX";
    if (::mkdtemp(tmp.data()) == nullptr)
      return caf::make_error(error_code::storage_failure,
                             "cannot make a temporary directory for reading '"
                               + path + "'");
    p->secondary_path = tmp;
    s = rocksdb::DB::OpenAsSecondary(db_opts, path, tmp, descriptors, &handles,
                                     &raw);
  } else {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec)
      return caf::make_error(error_code::storage_failure,
                             "cannot create the data directory '" + path
                               + "': " + ec.message());
    s = rocksdb::DB::Open(db_opts, path, descriptors, &handles, &raw);
  }
  if (!s.ok()) {
    auto err = to_error(s, "opening the store in '" + path + "'");
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
      err = caf::make_error(error_code::storage_failure,
                            "the store in '" + path
                              + "' is in use by another switchyard process ("
                              + s.ToString() + ")");
    return err;
  }
  p->db.reset(raw);
  for (std::size_t i = 0; i < handles.size(); ++i) {
    if (slot[i] >= 0)
      p->families[static_cast<std::size_t>(slot[i])] = handles[i];
    else
      p->foreign_families.push_back(handles[i]);
  }
  if (p->opts.read_only)
    p->db->TryCatchUpWithPrimary().PermitUncheckedError();

  // Sequence numbers start at the wall clock in microseconds: above every
  // number an earlier run handed out unless the clock stepped back.
  p->sequence = static_cast<std::uint64_t>(clock->wall_ms()) * 1000;
  if (p->opts.max_bytes) {
    p->max_bytes = *p->opts.max_bytes;
  } else if (struct statvfs fs{}; ::statvfs(path.c_str(), &fs) == 0) {
    // Half the file system: the log never fills the disk it shares.
    p->max_bytes = static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize / 2;
  }
  // A store from a build before spend rollups: sum its decision log once.
  bool backfill = !p->opts.read_only && !existing.empty()
                  && std::find(existing.begin(), existing.end(),
                               std::string{to_string(column::spend)})
                       == existing.end();
  std::unique_ptr<store> out{new store(std::move(p))};
  if (backfill) {
    store_batch b;
    auto flush = [&]() -> caf::expected<void> {
      auto r = out->write(b);
      b.clear();
      return r;
    };
    caf::expected<void> written{};
    auto read = out->for_each_decision([&](decision_record& rec) {
      b.add_spend(rec);
      if (b.size() >= 2000)
        written = flush();
      return static_cast<bool>(written);
    });
    if (!read)
      return std::move(read.error());
    if (written)
      written = flush();
    if (!written)
      return std::move(written.error());
  }
  return out;
}

std::uint64_t store::next_sequence() noexcept {
  return impl_->sequence.fetch_add(1, std::memory_order_relaxed) + 1;
}

// -- writes -------------------------------------------------------------------

caf::expected<void> store::write(const store_batch& batch) {
  if (batch.empty())
    return {};
  if (impl_->opts.read_only)
    return caf::make_error(error_code::storage_failure,
                           "the store in '" + impl_->opts.path
                             + "' is open read-only");
  if (auto ok = impl_->recover(); !ok)
    return ok;
  rocksdb::WriteBatch wb;
  std::vector<std::pair<std::uint64_t, std::int64_t>> fresh_inputs;
  std::unique_lock<std::mutex> inputs_guard{impl_->inputs_mutex,
                                            std::defer_lock};
  for (const auto& op : batch.operations()) {
    auto* h = impl_->family(op.family);
    if (op.content_addressed) {
      if (!inputs_guard.owns_lock())
        inputs_guard.lock();
      if (!impl_->fresh_input(op, fresh_inputs))
        continue;
    }
    auto s = op.merge ? wb.Merge(h, slice(op.key), slice(op.value))
                      : wb.Put(h, slice(op.key), slice(op.value));
    if (!s.ok())
      return to_error(s, "preparing a write");
  }
  for (const auto& m : batch.spend_merges()) {
    auto value = encode_spend_rollup(m.rollup);
    auto s = wb.Merge(impl_->family(column::spend), slice(m.key), slice(value));
    if (!s.ok())
      return to_error(s, "preparing a write");
  }
  if (inputs_guard.owns_lock())
    inputs_guard.unlock();
  rocksdb::WriteOptions wo;
  wo.sync = impl_->synced(batch);
  auto written = checked(impl_->db->Write(wo, &wb), "writing to the store");
  // Remembered only once written: a failed batch leaves nothing assumed.
  if (written)
    impl_->remember_inputs(fresh_inputs);
  return impl_->note(std::move(written));
}

caf::expected<void> store::for_each_spend_rollup(
  rollup_width width, std::int64_t from_s, std::int64_t to_s,
  const std::function<void(std::int64_t, const spend_rollup&)>& fn) {
  auto* h = impl_->family(column::spend);
  if (h == nullptr)
    return {};
  auto first = spend_rollup_key(width, from_s);
  auto last = spend_rollup_key(width, to_s);
  std::unique_ptr<rocksdb::Iterator> it{
    impl_->db->NewIterator(rocksdb::ReadOptions{}, h)};
  for (it->Seek(slice(first)); it->Valid(); it->Next()) {
    auto key = view(it->key());
    if (key > std::string_view{last})
      break;
    auto start = spend_rollup_start(key);
    auto rollup = decode_spend_rollup(view(it->value()));
    if (start && rollup)
      fn(*start, *rollup);
  }
  return checked(it->status(), "reading spend rollups");
}

namespace {

constexpr std::string_view learned_sample_prefix = "learned_sample/";

} // namespace

caf::expected<void> store::put_learned_sample(const learned_sample_record& s,
                                              std::uint64_t slot) {
  if (impl_->opts.read_only)
    return caf::make_error(error_code::storage_failure,
                           "the store in '" + impl_->opts.path
                             + "' is open read-only");
  std::string key{learned_sample_prefix};
  for (int shift = 56; shift >= 0; shift -= 8)
    key.push_back(static_cast<char>((slot >> shift) & 0xff));
  rocksdb::WriteOptions wo;
  wo.sync = impl_->opts.sync_learning;
  if (auto ok = impl_->recover(); !ok)
    return ok;
  return impl_->note(
    checked(impl_->db->Put(wo, impl_->family(column::meta), slice(key),
                           slice(encode_learned_sample(s))),
            "writing a learned sample"));
}

caf::expected<std::vector<learned_sample_record>>
store::load_learned_samples() {
  std::vector<learned_sample_record> out;
  auto scanned = impl_->scan(column::meta, learned_sample_prefix,
                             [&](std::string_view, std::string_view value) {
                               if (auto s = decode_learned_sample(value))
                                 out.push_back(std::move(*s));
                               return true;
                             });
  if (!scanned)
    return std::move(scanned.error());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.unix_ms < b.unix_ms;
  });
  return out;
}

caf::expected<void> store::put_feedback(const feedback_record& r) {
  store_batch b;
  b.put_feedback(r, next_sequence());
  return write(b);
}

caf::expected<void> store::put_decision(const decision_record& r) {
  store_batch b;
  b.put_decision(r, impl_->opts.prompts);
  return write(b);
}

caf::expected<void> store::put_experiment(const experiment_state& s) {
  store_batch b;
  b.put_experiment(s);
  return write(b);
}

caf::expected<void> store::put_registry(const engine::registry& reg) {
  store_batch b;
  b.put_registry(reg);
  return write(b);
}

// -- reads --------------------------------------------------------------------

caf::expected<decision_record> store::get_decision(std::uint64_t id) {
  auto what = "decision " + format_decision_id(id);
  auto value = impl_->get(column::decisions, decision_key(id), what);
  if (!value)
    return std::move(value.error());
  auto created = decision_created_unix_ms(*value);
  if (created && impl_->expired(*created))
    return not_found(what + " is past the retention period");
  return decode_decision(*value, impl_->inputs_lookup());
}

caf::expected<std::uint64_t> store::last_decision_id() {
  auto* h = impl_->family(column::decisions);
  if (h == nullptr)
    return std::uint64_t{0};
  std::unique_ptr<rocksdb::Iterator> it{
    impl_->db->NewIterator(rocksdb::ReadOptions{}, h)};
  it->SeekToLast();
  std::uint64_t id = 0;
  if (it->Valid())
    id = decision_id_of_key(view(it->key())).value_or(0);
  if (auto ok = checked(it->status(), "reading the decision log"); !ok)
    return std::move(ok.error());
  return id;
}

caf::expected<void>
store::for_each_decision(const std::function<bool(decision_record&)>& fn) {
  caf::error failure;
  auto scanned = impl_->scan(
    column::decisions, {}, [&](std::string_view, std::string_view value) {
      auto created = decision_created_unix_ms(value);
      if (created && impl_->expired(*created))
        return true;
      auto rec = decode_decision(value, impl_->inputs_lookup());
      if (!rec) {
        failure = std::move(rec.error());
        return false;
      }
      return fn(*rec);
    });
  if (!scanned)
    return scanned;
  if (failure)
    return failure;
  return {};
}

caf::expected<std::uint64_t> store::for_each_decision_newest_first(
  std::uint64_t below, std::uint64_t above,
  const std::function<bool(decision_record&)>& fn) {
  auto* h = impl_->family(column::decisions);
  if (h == nullptr)
    return std::uint64_t{0};
  std::unique_ptr<rocksdb::Iterator> it{
    impl_->db->NewIterator(rocksdb::ReadOptions{}, h)};
  if (below == 0) {
    it->SeekToLast();
  } else {
    // The last key before `below`: big-endian keys sort by id.
    auto key = decision_key(below);
    it->SeekForPrev(slice(key));
    if (it->Valid() && view(it->key()) == key)
      it->Prev();
  }
  std::uint64_t read = 0;
  for (; it->Valid(); it->Prev()) {
    auto id = decision_id_of_key(view(it->key())).value_or(0);
    if (id <= above)
      break;
    ++read;
    auto value = view(it->value());
    auto created = decision_created_unix_ms(value);
    if (created && impl_->expired(*created))
      continue;
    auto rec = decode_decision(value, impl_->inputs_lookup());
    if (!rec)
      return std::move(rec.error());
    if (!fn(*rec))
      break;
  }
  if (auto ok = checked(it->status(), "reading the decision log"); !ok)
    return std::move(ok.error());
  return read;
}

caf::expected<std::vector<feedback_record>>
store::feedback_for(std::uint64_t decision_id) {
  return impl_->load_records<feedback_record>(
    column::feedback, feedback_prefix(decision_id), by_value(decode_feedback),
    [this](const feedback_record& r) {
      return !impl_->feedback_expired(r.received_unix_ms);
    });
}

caf::expected<void>
store::for_each_feedback(const std::function<bool(feedback_record&)>& fn) {
  return impl_->scan_records(column::feedback, {}, by_value(decode_feedback),
                             [&](feedback_record& r) {
                               return impl_->feedback_expired(
                                        r.received_unix_ms)
                                      || fn(r);
                             });
}

caf::expected<std::vector<engine::learned_entry>> store::load_learned() {
  return impl_->load_records<engine::learned_entry>(column::performance, {}, decode_learned, keep_all);
}

caf::expected<std::vector<ledger_entry>> store::load_ledger() {
  return impl_->load_records<ledger_entry>(column::ledger, {}, decode_ledger, keep_all);
}

caf::expected<std::vector<experiment_state>> store::load_experiments() {
  return impl_->load_records<experiment_state>(column::experiments, {}, by_value(decode_experiment), keep_all);
}

caf::expected<experiment_state> store::get_experiment(std::string_view id) {
  auto value = impl_->get(column::experiments, id,
                          "experiment '" + std::string{id} + "'");
  if (!value)
    return std::move(value.error());
  return decode_experiment(*value);
}

namespace {

/// A saved blob of learned state in the meta column; empty when none was
/// saved.
caf::expected<std::string> load_saved(const auto& impl, std::string_view key,
                                      const char* what) {
  auto value = impl->get(column::meta, key, what);
  if (!value && error_code_of(value.error()) == error_code::not_found)
    return std::string{};
  return value;
}

} // namespace

caf::expected<std::string> store::load_predictor() {
  return load_saved(impl_, predictor_key, "the success predictor's state");
}

caf::expected<std::string> store::load_prompt_history() {
  return load_saved(impl_, prompt_history_key, "the prompt model's history");
}

caf::expected<engine::registry> store::get_registry(std::uint64_t config_hash) {
  char hex[24];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(config_hash));
  auto value = impl_->get(column::meta, registry_key(config_hash),
                          std::string{"the registry with config hash "} + hex);
  if (!value)
    return std::move(value.error());
  return decode_registry(*value);
}

// -- API keys -----------------------------------------------------------------

caf::expected<void> store::put_api_key(const api_key_record& k) {
  if (impl_->opts.read_only)
    return caf::make_error(error_code::storage_failure,
                           std::string{"the store is open read-only"});
  rocksdb::WriteBatch wb;
  auto* h = impl_->family(column::api_keys);
  auto value = encode_api_key(k);
  auto index = api_key_hash_key(k.secret_sha256);
  if (auto s = wb.Put(h, slice(api_key_id_key(k.id)), slice(value)); !s.ok())
    return to_error(s, "preparing an API key write");
  if (auto s = wb.Put(h, slice(index), slice(k.id)); !s.ok())
    return to_error(s, "preparing an API key write");
  rocksdb::WriteOptions wo;
  wo.sync = true; // a key that was handed out must not vanish
  if (auto ok = impl_->recover(); !ok)
    return ok;
  return impl_->note(
    checked(impl_->db->Write(wo, &wb), "storing API key " + k.id));
}

caf::expected<api_key_record> store::get_api_key(std::string_view id) {
  auto value = impl_->get(column::api_keys, api_key_id_key(id),
                          "API key '" + std::string{id} + "'");
  if (!value)
    return std::move(value.error());
  return decode_api_key(*value);
}

caf::expected<api_key_record> store::find_api_key(std::string_view secret) {
  auto digest = sha256(secret);
  auto id = impl_->get(column::api_keys, api_key_hash_key(digest),
                       "an API key with that secret");
  if (!id)
    return std::move(id.error());
  auto key = get_api_key(*id);
  if (key && !secret_matches(*key, secret))
    return not_found("an API key with that secret");
  return key;
}

caf::expected<std::vector<api_key_record>> store::list_api_keys() {
  return impl_->load_records<api_key_record>(column::api_keys, "id/", by_value(decode_api_key), keep_all);
}

caf::expected<void> store::revoke_api_key(std::string_view id,
                                          std::int64_t now_unix_s) {
  auto key = get_api_key(id);
  if (!key)
    return std::move(key.error());
  if (key->revoked)
    return {};
  key->revoked = true;
  key->revoked_unix_s = now_unix_s;
  return put_api_key(*key);
}

// -- maintenance --------------------------------------------------------------

caf::expected<void> store::compact_expired() {
  if (impl_->opts.read_only)
    return {};
  for (auto c : {column::decisions, column::feedback, column::spend,
                 column::inputs}) {
    auto* h = impl_->family(c);
    if (h == nullptr)
      continue;
    rocksdb::CompactRangeOptions o;
    // Rewrite the bottommost level too, so every file passes the filter.
    o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    if (auto done = checked(impl_->db->CompactRange(o, h, nullptr, nullptr),
                            "compacting the " + std::string{to_string(c)}
                              + " column");
        !done)
      return done;
  }
  return {};
}

caf::expected<std::vector<store::column_size>> store::sizes(bool compact) {
  std::vector<column_size> out;
  for (std::size_t i = 0; i < column_count; ++i) {
    auto c = static_cast<column>(i);
    auto* h = impl_->family(c);
    if (h == nullptr)
      continue;
    if (!impl_->opts.read_only) {
      if (auto flushed = checked(
            impl_->db->Flush(rocksdb::FlushOptions{}, h),
            "flushing the " + std::string{to_string(c)} + " column");
          !flushed)
        return std::move(flushed.error());
      if (compact) {
        rocksdb::CompactRangeOptions o;
        o.bottommost_level_compaction
          = rocksdb::BottommostLevelCompaction::kForce;
        if (auto done
            = checked(impl_->db->CompactRange(o, h, nullptr, nullptr),
                      "compacting the " + std::string{to_string(c)}
                        + " column");
            !done)
          return std::move(done.error());
      }
    }
    column_size s;
    s.family = c;
    impl_->db->GetIntProperty(h, "rocksdb.live-sst-files-size", &s.bytes);
    auto n = raw_count(c);
    if (!n)
      return std::move(n.error());
    s.records = *n;
    out.push_back(s);
  }
  return out;
}

std::uint64_t store::max_bytes() const noexcept {
  return impl_->max_bytes;
}

caf::expected<std::uint64_t> store::enforce_size_cap() {
  if (impl_->max_bytes == 0 || impl_->opts.read_only)
    return std::uint64_t{0};
  std::uint64_t total = 0;
  for (auto c : {column::decisions, column::feedback, column::spend,
                 column::inputs}) {
    std::uint64_t bytes = 0;
    if (auto* h = impl_->family(c))
      impl_->db->GetIntProperty(h, "rocksdb.total-sst-files-size", &bytes);
    total += bytes;
  }
  if (total <= impl_->max_bytes)
    return std::uint64_t{0};
  auto* h = impl_->family(column::decisions);
  std::uint64_t keys = 0;
  impl_->db->GetIntProperty(h, "rocksdb.estimate-num-keys", &keys);
  if (keys == 0)
    return std::uint64_t{0};
  // Evict the oldest share that brings the total to 90% of the cap.
  auto target = impl_->max_bytes / 10 * 9;
  auto share = static_cast<double>(total - target) / static_cast<double>(total);
  auto evict = std::max<std::uint64_t>(
    1, static_cast<std::uint64_t>(share * static_cast<double>(keys)));
  std::unique_ptr<rocksdb::Iterator> it{
    impl_->db->NewIterator(rocksdb::ReadOptions{}, h)};
  it->SeekToFirst();
  if (!it->Valid()) {
    if (auto ok = checked(it->status(), "reading the decision log"); !ok)
      return std::move(ok.error());
    return std::uint64_t{0};
  }
  auto first = std::string{view(it->key())};
  std::uint64_t n = 0;
  for (; it->Valid() && n < evict; it->Next())
    ++n;
  if (auto ok = checked(it->status(), "reading the decision log"); !ok)
    return std::move(ok.error());
  // Up to the first decision kept (or past the last one).
  auto first_id = decision_id_of_key(first).value_or(0);
  auto end_id = it->Valid() ? decision_id_of_key(view(it->key())).value_or(0)
                            : std::numeric_limits<std::uint64_t>::max();
  auto end = decision_key(end_id);
  rocksdb::WriteBatch wb;
  auto s = wb.DeleteRange(h, slice(first), slice(end));
  if (s.ok())
    if (auto* fh = impl_->family(column::feedback))
      s = wb.DeleteRange(fh, slice(feedback_prefix(first_id)),
                         slice(feedback_prefix(end_id)));
  if (!s.ok())
    return to_error(s, "evicting the oldest decisions");
  if (auto done = checked(impl_->db->Write(rocksdb::WriteOptions{}, &wb),
                          "evicting the oldest decisions");
      !done)
    return std::move(done.error());
  rocksdb::CompactRangeOptions o;
  auto first_slice = slice(first);
  auto end_slice = slice(end);
  if (auto done = checked(
        impl_->db->CompactRange(o, h, &first_slice, &end_slice),
        "compacting the evicted decisions");
      !done)
    return std::move(done.error());
  return n;
}

caf::expected<std::uint64_t> store::raw_count(column c) {
  std::uint64_t n = 0;
  auto scanned = impl_->scan(c, {},
                             [&](std::string_view, std::string_view) {
                               ++n;
                               return true;
                             });
  if (!scanned)
    return std::move(scanned.error());
  return n;
}

} // namespace switchyard::storage
