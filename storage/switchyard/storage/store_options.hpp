#pragma once

#include "switchyard/engine/time_source.hpp"
#include "switchyard/messages/storage_records.hpp"

#include <chrono>
#include <optional>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rocksdb {
class EventListener;
class FileSystem;
} // namespace rocksdb

namespace switchyard::storage {

/// How a store is opened. One store per node, in its data directory.
struct store_options {
  /// The data directory; created when missing (unless read-only).
  std::string path;
  /// Opens without taking the lock, beside a running writer (the CLI's
  /// explain, replay and analytics). Sees the data as of opening.
  bool read_only = false;
  /// Decisions older than this are dropped (DESIGN.md: 30 days).
  std::chrono::seconds decision_retention{std::chrono::hours{24 * 30}};
  /// Feedback records older than this (by when they were received) are
  /// dropped the same way; what they taught learning stays in the learned
  /// cells. None: as long as decisions.
  std::optional<std::chrono::seconds> feedback_retention;
  /// Whether a write of this kind returns only once the WAL is synced to
  /// disk. Feedback and ledger spend must survive power loss; the decision
  /// log and learned snapshots can lose their last moments.
  bool sync_feedback = true;
  bool sync_ledger = true;
  bool sync_decisions = false;
  bool sync_learning = false;
  /// What a logged decision keeps of its prompt (DESIGN.md "The store").
  prompt_retention prompts = prompt_retention::full;
  /// The most the decision log (with its feedback, spend rollups and shared
  /// inputs) may take on disk; beyond it the oldest decisions are evicted
  /// first (store::enforce_size_cap). None: half the file system the store
  /// is on, as found when opening it. 0: no cap.
  std::optional<std::uint64_t> max_bytes;
  /// Wall-clock time for retention; the system's when null. Tests inject
  /// their own.
  std::shared_ptr<const engine::time_source> time;
  /// The file system RocksDB writes through; the default one when null.
  /// Tests pass a wrapper that loses unsynced data at a simulated crash, to
  /// prove an acknowledged write was synced, not merely written.
  std::shared_ptr<rocksdb::FileSystem> file_system;
  /// RocksDB event listeners (tests wait on its error recovery with one).
  std::vector<std::shared_ptr<rocksdb::EventListener>> listeners;
};

} // namespace switchyard::storage
