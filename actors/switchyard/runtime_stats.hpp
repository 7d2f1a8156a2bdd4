#pragma once

#include <cstdint>
#include <string>

namespace switchyard {

/// The runtime's counters, read without asking the actors (relaxed atomics:
/// each value is current, the set is not one snapshot). Public apart from
/// runtime.hpp so that the installed embedding API can return it without
/// the runtime's internal headers.
struct runtime_stats {
  std::uint64_t submitted = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::uint64_t in_flight = 0;
  /// What executed tasks spent, by their replies.
  double spent_usd = 0.0;
  /// The decision log (with a data_dir): records waiting for the store,
  /// written, dropped because the store was behind, and lost because the
  /// store refused their batch (with its last error).
  std::uint64_t decisions_queued = 0;
  std::uint64_t decisions_logged = 0;
  std::uint64_t decisions_dropped = 0;
  std::uint64_t decisions_failed = 0;
  /// Evicted, oldest first, to keep the store under its size cap.
  std::uint64_t decisions_evicted = 0;
  std::uint64_t decision_queue_capacity = 0;
  std::string store_error;
};

} // namespace switchyard
