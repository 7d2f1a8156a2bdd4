#pragma once

#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/storage_records.hpp"
#include "switchyard/storage/api_key.hpp"
#include "switchyard/storage/learned_sample.hpp"
#include "switchyard/storage/spend_rollup.hpp"
#include "switchyard/storage/store_batch.hpp"
#include "switchyard/storage/store_options.hpp"

#include <caf/expected.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace switchyard::storage {

/// One node's RocksDB database: a column family per kind of record (see
/// `column`), versioned values (record_codec.hpp), the decision log pruned
/// by a compaction filter after the retention period, and synced writes for
/// feedback and ledger spend. Every call blocks on disk I/O: call it from
/// the storage actor's thread or another thread of your own, never from a
/// CAF scheduler thread. Thread-safe. RocksDB's Status becomes a
/// caf::expected with switchyard::error_code here and nowhere else.
class store {
public:
  /// Opens (or creates) the store at `opts.path`.
  [[nodiscard]] static caf::expected<std::unique_ptr<store>>
  open(store_options opts);

  ~store();

  store(const store&) = delete;
  store& operator=(const store&) = delete;

  [[nodiscard]] const store_options& options() const noexcept;

  // -- writes -----------------------------------------------------------------

  /// Applies the batch atomically. Synced when it touches a column whose
  /// sync option is on: the call returns once the WAL is on disk.
  [[nodiscard]] caf::expected<void> write(const store_batch& batch);

  /// Increasing numbers for ordering feedback, unique across restarts.
  [[nodiscard]] std::uint64_t next_sequence() noexcept;

  [[nodiscard]] caf::expected<void> put_feedback(const feedback_record& r);
  [[nodiscard]] caf::expected<void> put_decision(const decision_record& r);
  [[nodiscard]] caf::expected<void> put_experiment(const experiment_state& s);
  [[nodiscard]] caf::expected<void> put_registry(const engine::registry& reg);

  // -- reads ------------------------------------------------------------------

  /// A logged decision; `not_found` when it is unknown or past retention.
  [[nodiscard]] caf::expected<decision_record> get_decision(std::uint64_t id);

  /// The highest decision id logged, 0 for none.
  [[nodiscard]] caf::expected<std::uint64_t> last_decision_id();

  /// Every decision within retention, by id; `fn` returns false to stop.
  [[nodiscard]] caf::expected<void>
  for_each_decision(const std::function<bool(decision_record&)>& fn);

  /// Decisions with `above < id < below` (`below` 0: no upper bound), newest
  /// first, until `fn` returns false. Seeks to `below` and walks back, so a
  /// page costs the records it reads, not the size of the log. Returns how
  /// many records it read (expired ones skipped included).
  [[nodiscard]] caf::expected<std::uint64_t> for_each_decision_newest_first(
    std::uint64_t below, std::uint64_t above,
    const std::function<bool(decision_record&)>& fn);

  /// The spend rollups of `width` whose buckets start in [from_s, to_s]
  /// (Unix seconds), oldest first; `fn(bucket_start_s, rollup)`. Values this
  /// build cannot read are skipped.
  [[nodiscard]] caf::expected<void> for_each_spend_rollup(
    rollup_width width, std::int64_t from_s, std::int64_t to_s,
    const std::function<void(std::int64_t, const spend_rollup&)>& fn);

  [[nodiscard]] caf::expected<std::vector<feedback_record>>
  feedback_for(std::uint64_t decision_id);

  [[nodiscard]] caf::expected<void>
  for_each_feedback(const std::function<bool(feedback_record&)>& fn);

  [[nodiscard]] caf::expected<std::vector<engine::learned_entry>> load_learned();

  [[nodiscard]] caf::expected<std::vector<ledger_entry>> load_ledger();

  [[nodiscard]] caf::expected<std::vector<experiment_state>> load_experiments();
  /// The success predictor's saved state; empty when none was saved.
  [[nodiscard]] caf::expected<std::string> load_predictor();
  /// The prompt model's saved history; empty when none was saved.
  [[nodiscard]] caf::expected<std::string> load_prompt_history();

  [[nodiscard]] caf::expected<experiment_state>
  get_experiment(std::string_view id);

  /// The registry a decision with this config hash was made under.
  [[nodiscard]] caf::expected<engine::registry>
  get_registry(std::uint64_t config_hash);

  // -- learned weights over time ----------------------------------------------

  /// Writes a learned-state sample into ring slot `slot` (the caller keeps
  /// the ring's size and wraps the slot), replacing what the slot held.
  [[nodiscard]] caf::expected<void>
  put_learned_sample(const learned_sample_record& s, std::uint64_t slot);

  /// Every stored sample, oldest first.
  [[nodiscard]] caf::expected<std::vector<learned_sample_record>>
  load_learned_samples();

  // -- API keys ---------------------------------------------------------------

  /// Stores (or replaces) a key and its hash index entry.
  [[nodiscard]] caf::expected<void> put_api_key(const api_key_record& k);

  [[nodiscard]] caf::expected<api_key_record> get_api_key(std::string_view id);

  /// The key whose secret this is (revoked keys included: check `revoked`);
  /// `not_found` for an unknown secret.
  [[nodiscard]] caf::expected<api_key_record>
  find_api_key(std::string_view secret);

  [[nodiscard]] caf::expected<std::vector<api_key_record>> list_api_keys();

  /// Marks a key revoked; `not_found` for an unknown id.
  [[nodiscard]] caf::expected<void> revoke_api_key(std::string_view id,
                                                   std::int64_t now_unix_s);

  // -- maintenance ------------------------------------------------------------

  /// Compacts the decision log, feedback and spend totals now, dropping what is
  /// past retention (RocksDB also does it on its own, at least daily).
  [[nodiscard]] caf::expected<void> compact_expired();

  /// The size cap in force (store_options::max_bytes, resolved); 0: none.
  [[nodiscard]] std::uint64_t max_bytes() const noexcept;

  /// When the decision log's columns take more than max_bytes() on disk,
  /// deletes the oldest decisions (and their feedback) until they would
  /// take 90% of it, and compacts. Returns how many decisions it evicted.
  [[nodiscard]] caf::expected<std::uint64_t> enforce_size_cap();

  /// Records still in a column's files, expired or not (for tests of the
  /// retention filters: reads skip expired records).
  [[nodiscard]] caf::expected<std::uint64_t> raw_count(column c);

  /// One column's records and the bytes its table files take on disk.
  struct column_size {
    column family = column::meta;
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;
  };

  /// Every column's size, after writing the memtables out and, with
  /// `compact`, compacting every column (as RocksDB would in time), so that
  /// the bytes are what the records cost at rest. Needs a writable store.
  [[nodiscard]] caf::expected<std::vector<column_size>> sizes(bool compact);

private:
  struct impl;
  explicit store(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace switchyard::storage
