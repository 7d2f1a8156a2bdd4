#include "switchyard/storage/store.hpp"

#include "switchyard/messages/decision_id.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/storage/record_codec.hpp"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/status.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>
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

std::int64_t system_unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
    .count();
}

rocksdb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}

std::string_view view(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

/// Drops decisions admitted before now - retention. Reads only the fixed
/// header of each value. Const and stateless apart from the clock, so
/// concurrent compactions may share it.
class decision_retention_filter : public rocksdb::CompactionFilter {
public:
  decision_retention_filter(std::function<std::int64_t()> now_unix_ms,
                            std::chrono::milliseconds retention)
    : now_unix_ms_(std::move(now_unix_ms)), retention_(retention) {
  }

  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value,
              std::string*, bool*) const override {
    auto created = decision_created_unix_ms(view(value));
    // A value this build cannot read is kept: it is not ours to drop.
    return created && *created < now_unix_ms_() - retention_.count();
  }

  const char* Name() const override {
    return "switchyard.decision_retention";
  }

private:
  std::function<std::int64_t()> now_unix_ms_;
  std::chrono::milliseconds retention_;
};

} // namespace

// -- impl ---------------------------------------------------------------------

struct store::impl {
  store_options opts;
  std::unique_ptr<decision_retention_filter> retention_filter;
  std::unique_ptr<rocksdb::DB> db;
  /// Indexed by `column`; null for a column family a read-only store lacks.
  std::array<rocksdb::ColumnFamilyHandle*, column_count> families{};
  /// Column families of a newer build, opened because RocksDB insists.
  std::vector<rocksdb::ColumnFamilyHandle*> foreign_families;
  /// The secondary instance's own directory (read-only mode).
  std::string secondary_path;
  std::atomic<std::uint64_t> sequence{0};

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
    return opts.now_unix_ms ? opts.now_unix_ms() : system_unix_ms();
  }

  bool expired(std::int64_t created_unix_ms) const {
    auto retention
      = std::chrono::duration_cast<std::chrono::milliseconds>(
          opts.decision_retention)
          .count();
    return created_unix_ms < now_ms() - retention;
  }

  rocksdb::ColumnFamilyHandle* family(column c) const {
    return families[static_cast<std::size_t>(c)];
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
};

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
  auto clock = p->opts.now_unix_ms ? p->opts.now_unix_ms
                                   : std::function<std::int64_t()>{
                                     system_unix_ms};
  p->retention_filter = std::make_unique<decision_retention_filter>(
    clock, std::chrono::duration_cast<std::chrono::milliseconds>(
             p->opts.decision_retention));

  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = true;
  db_opts.create_missing_column_families = true;
  // Two background threads: flushes and compactions of a router's state
  // are small, and the node's cores belong to routing.
  db_opts.max_background_jobs = 2;
  db_opts.keep_log_file_num = 5;
  if (p->opts.read_only)
    db_opts.max_open_files = -1; // a secondary instance requires it

  auto family_options = [&](std::string_view name) {
    rocksdb::ColumnFamilyOptions cf;
    if (name == to_string(column::decisions)) {
      cf.compaction_filter = p->retention_filter.get();
      // Let no file escape the filter for more than a day, even when
      // nothing else triggers a compaction.
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
  p->sequence = static_cast<std::uint64_t>(clock()) * 1000;
  return std::unique_ptr<store>{new store(std::move(p))};
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
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.operations()) {
    auto* h = impl_->family(op.family);
    auto s = wb.Put(h, slice(op.key), slice(op.value));
    if (!s.ok())
      return to_error(s, "preparing a write");
  }
  rocksdb::WriteOptions wo;
  wo.sync = impl_->synced(batch);
  return checked(impl_->db->Write(wo, &wb), "writing to the store");
}

caf::expected<void> store::put_feedback(const feedback_record& r) {
  store_batch b;
  b.put_feedback(r, next_sequence());
  return write(b);
}

caf::expected<void> store::put_decision(const decision_record& r) {
  store_batch b;
  b.put_decision(r);
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
  return decode_decision(*value);
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
      auto rec = decode_decision(value);
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
    auto rec = decode_decision(value);
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
  std::vector<feedback_record> out;
  caf::error failure;
  auto scanned = impl_->scan(column::feedback, feedback_prefix(decision_id),
                             [&](std::string_view, std::string_view value) {
                               auto rec = decode_feedback(value);
                               if (!rec) {
                                 failure = std::move(rec.error());
                                 return false;
                               }
                               out.push_back(std::move(*rec));
                               return true;
                             });
  if (!scanned)
    return std::move(scanned.error());
  if (failure)
    return failure;
  return out;
}

caf::expected<void>
store::for_each_feedback(const std::function<bool(feedback_record&)>& fn) {
  caf::error failure;
  auto scanned = impl_->scan(column::feedback, {},
                             [&](std::string_view, std::string_view value) {
                               auto rec = decode_feedback(value);
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

caf::expected<std::vector<engine::learned_entry>> store::load_learned() {
  std::vector<engine::learned_entry> out;
  caf::error failure;
  auto scanned = impl_->scan(column::performance, {},
                             [&](std::string_view key, std::string_view value) {
                               auto e = decode_learned(key, value);
                               if (!e) {
                                 failure = std::move(e.error());
                                 return false;
                               }
                               out.push_back(std::move(*e));
                               return true;
                             });
  if (!scanned)
    return std::move(scanned.error());
  if (failure)
    return failure;
  return out;
}

caf::expected<std::vector<ledger_entry>> store::load_ledger() {
  std::vector<ledger_entry> out;
  caf::error failure;
  auto scanned = impl_->scan(column::ledger, {},
                             [&](std::string_view key, std::string_view value) {
                               auto e = decode_ledger(key, value);
                               if (!e) {
                                 failure = std::move(e.error());
                                 return false;
                               }
                               out.push_back(std::move(*e));
                               return true;
                             });
  if (!scanned)
    return std::move(scanned.error());
  if (failure)
    return failure;
  return out;
}

caf::expected<std::vector<experiment_state>> store::load_experiments() {
  std::vector<experiment_state> out;
  caf::error failure;
  auto scanned = impl_->scan(column::experiments, {},
                             [&](std::string_view, std::string_view value) {
                               auto e = decode_experiment(value);
                               if (!e) {
                                 failure = std::move(e.error());
                                 return false;
                               }
                               out.push_back(std::move(*e));
                               return true;
                             });
  if (!scanned)
    return std::move(scanned.error());
  if (failure)
    return failure;
  return out;
}

caf::expected<experiment_state> store::get_experiment(std::string_view id) {
  auto value = impl_->get(column::experiments, id,
                          "experiment '" + std::string{id} + "'");
  if (!value)
    return std::move(value.error());
  return decode_experiment(*value);
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
  return checked(impl_->db->Write(wo, &wb), "storing API key " + k.id);
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
  std::vector<api_key_record> out;
  caf::error failure;
  auto scanned = impl_->scan(column::api_keys, "id/",
                             [&](std::string_view, std::string_view value) {
                               auto k = decode_api_key(value);
                               if (!k) {
                                 failure = std::move(k.error());
                                 return false;
                               }
                               out.push_back(std::move(*k));
                               return true;
                             });
  if (!scanned)
    return std::move(scanned.error());
  if (failure)
    return failure;
  return out;
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

caf::expected<void> store::compact_decisions() {
  auto* h = impl_->family(column::decisions);
  if (h == nullptr || impl_->opts.read_only)
    return {};
  rocksdb::CompactRangeOptions o;
  // Rewrite the bottommost level too, so every file passes the filter.
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return checked(impl_->db->CompactRange(o, h, nullptr, nullptr),
                 "compacting the decision log");
}

caf::expected<std::uint64_t> store::raw_decision_count() {
  std::uint64_t n = 0;
  auto scanned = impl_->scan(column::decisions, {},
                             [&](std::string_view, std::string_view) {
                               ++n;
                               return true;
                             });
  if (!scanned)
    return std::move(scanned.error());
  return n;
}

} // namespace switchyard::storage
