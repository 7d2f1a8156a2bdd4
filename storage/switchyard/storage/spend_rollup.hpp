#pragma once

#include "switchyard/engine/analytics.hpp"
#include "switchyard/messages/storage_records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::storage {

/// How wide a spend rollup's time bucket is.
enum class rollup_width : std::uint8_t {
  minute = 'm',
  hour = 'h',
};

[[nodiscard]] constexpr std::int64_t seconds_of(rollup_width w) noexcept {
  return w == rollup_width::minute ? 60 : 3600;
}

/// The executed tasks of one minute or hour, pre-aggregated so that spend
/// charts read one record per bucket instead of every decision: per budget
/// key and outcome (answered or not), the task count, token sums and the
/// cost per model. Models are (config hash, index) pairs, resolved through
/// the registry the decisions were made under when read. Kept in the
/// `spend` column family, merged by RocksDB (a merge operator adds rollups),
/// written in the same batch as the decision.
struct spend_rollup {
  struct model_cost {
    std::uint64_t config_hash = 0;
    std::uint16_t model = 0;
    std::int64_t nanos = 0;
  };
  struct group {
    std::string budget_key;
    bool answered = false;
    std::uint64_t tasks = 0;
    std::uint64_t input_tokens = 0;
    std::uint64_t output_tokens = 0;
    std::vector<model_cost> models;
  };
  std::vector<group> groups;

  /// Adds `other` into this one.
  void add(const spend_rollup& other);
};

/// What one decision adds to its bucket; none for route-only decisions.
/// Counts the same attempts as analytics does (no cancelled or
/// breaker-refused calls).
[[nodiscard]] std::optional<spend_rollup>
rollup_of(const decision_record& rec);

/// Key: the width's letter, then the bucket's start (Unix seconds, big
/// endian), so a width's buckets sort by time.
[[nodiscard]] std::string spend_rollup_key(rollup_width w,
                                           std::int64_t bucket_start_s);
[[nodiscard]] std::optional<std::int64_t>
spend_rollup_start(std::string_view key);

[[nodiscard]] std::string encode_spend_rollup(const spend_rollup& r);
/// None for a value this build cannot read.
[[nodiscard]] std::optional<spend_rollup>
decode_spend_rollup(std::string_view value);

/// A bucket's rollup as analytics reads tasks: one summary per group, made
/// at the bucket's start, its attempts the per-model costs (names through
/// `name_of(config_hash, model)` -> {model id, provider id}).
template <class NameOf>
void rollup_tasks(const spend_rollup& r, std::int64_t bucket_start_s,
                  NameOf&& name_of, std::vector<engine::task_summary>& out) {
  for (const auto& g : r.groups) {
    engine::task_summary t;
    t.created_unix_s = bucket_start_s;
    t.budget_key = g.budget_key;
    for (const auto& m : g.models) {
      auto [model, provider] = name_of(m.config_hash, m.model);
      t.attempts.push_back({model, provider, true, m.nanos, 0.0});
    }
    if (g.answered)
      t.answered_by = "(answered)";
    t.input_tokens = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(g.input_tokens, UINT32_MAX));
    t.output_tokens = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(g.output_tokens, UINT32_MAX));
    out.push_back(std::move(t));
  }
}

} // namespace switchyard::storage
