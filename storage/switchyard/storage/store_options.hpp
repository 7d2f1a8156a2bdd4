#pragma once

#include <chrono>
#include <optional>
#include <cstdint>
#include <functional>
#include <string>

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
  /// Wall-clock time in ms since the Unix epoch, for retention; the system
  /// clock when empty. Tests inject their own.
  std::function<std::int64_t()> now_unix_ms;
};

} // namespace switchyard::storage
