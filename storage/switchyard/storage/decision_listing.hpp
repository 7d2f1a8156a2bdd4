#pragma once

#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/storage/store.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::storage {

/// One row of the decision log as the dashboard lists it: what was asked,
/// what was chosen and how it ended, without the evidence.
struct decision_summary {
  std::uint64_t decision_id = 0;
  std::int64_t created_unix_ms = 0;
  /// False for a route-only request.
  bool execute = false;
  engine::task_type type = engine::task_type::general;
  engine::complexity_tier tier = engine::complexity_tier::simple;
  /// 1-10.
  int complexity_score = 1;
  /// The model that answered, or else the first round's primary; empty when
  /// no model was chosen.
  std::string model;
  std::string provider;
  std::int64_t cost_nanos = 0;
  double latency_ms = 0.0;
  /// Calls made (every attempt and ensemble member).
  std::uint32_t attempts = 0;
  /// Attempts on models other than the first one chosen.
  std::uint32_t fallbacks = 0;
  bool parallel = false;
  bool ok = false;
  std::string error_message;
  std::string budget_key;
  std::string experiment;
};

/// A page of the decision log, newest first.
struct decision_page {
  std::vector<decision_summary> rows;
  /// Records read from the store to make the page (skipped expired ones
  /// included): about `limit`, whatever the size of the log.
  std::uint64_t records_read = 0;
  /// Whether older decisions remain below the last row.
  bool more = false;
};

/// Decisions with `after < id < before` (`before` 0: from the newest),
/// newest first, at most `limit`. Model indices resolve through the
/// registry each decision was made under (`fallback` when the store lacks
/// it). Blocking.
[[nodiscard]] caf::expected<decision_page>
list_decisions(store& db, const engine::registry& fallback,
               std::uint64_t before, std::uint64_t after, std::size_t limit);

} // namespace switchyard::storage
