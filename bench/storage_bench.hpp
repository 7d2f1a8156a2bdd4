#pragma once

#include <cstdint>
#include <string>

namespace switchyard::bench {

struct storage_bench_options {
  /// Where the temporary stores go (a fresh directory is made inside and
  /// removed afterwards); the system's temp directory when empty.
  std::string parent_dir;
  /// Synced feedback appends, one at a time.
  std::uint64_t sequential_feedback = 2'000;
  /// Synced feedback sent through the storage actor with `in_flight`
  /// requests outstanding.
  std::uint64_t group_feedback = 50'000;
  std::uint32_t in_flight = 64;
  /// Decision-log writes without sync, and with sync.
  std::uint64_t decisions = 20'000;
  std::uint64_t synced_decisions = 2'000;
  /// Reads of a decision by id (random ids among those written).
  std::uint64_t reads = 20'000;
};

/// Latency percentiles of one operation and its rate.
struct storage_op_result {
  std::uint64_t operations = 0;
  double per_second = 0.0;
  double p50_us = 0.0;
  double p99_us = 0.0;
  double p999_us = 0.0;
  double max_us = 0.0;
};

struct storage_bench_result {
  /// Empty on success.
  std::string error;
  /// The temporary directory the stores were in (removed when done).
  std::string directory;
  /// Bytes of one encoded decision record as written.
  std::uint64_t decision_bytes = 0;
  /// store::put_feedback, synced, back to back on one thread.
  storage_op_result feedback_sequential;
  /// feedback_atom requests to the storage actor (detached, group commit),
  /// `in_flight` outstanding: acknowledged/s and request-to-answer latency.
  storage_op_result feedback_group;
  std::uint32_t in_flight = 0;
  /// store::put_decision without and with sync.
  storage_op_result decisions_unsynced;
  storage_op_result decisions_synced;
  /// store::get_decision of a random logged id.
  storage_op_result decision_reads;
};

/// Measures a real RocksDB store in a temporary directory. Blocking; uses
/// one CAF actor system (2 scheduler threads) for the group-commit phase.
[[nodiscard]] storage_bench_result
run_storage_bench(const storage_bench_options& opts);

[[nodiscard]] std::string to_json(const storage_bench_result& r);

} // namespace switchyard::bench
