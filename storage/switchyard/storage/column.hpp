#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace switchyard::storage {

/// The store's column families, one per kind of record.
enum class column : std::uint8_t {
  /// Store metadata and the registries decisions were made under.
  meta,
  /// Learned cells per (model, task type).
  performance,
  /// The decision log; dropped after the retention period.
  decisions,
  feedback,
  /// Settled spend per budget scope and UTC day.
  ledger,
  experiments,
  /// Client API keys, hashed.
  api_keys,
  /// Spend per minute and hour (spend_rollup.hpp), merged as decisions are
  /// logged; dropped with the decisions they sum.
  spend,
  /// Routing inputs that many logged decisions share, by content hash
  /// (record_codec.hpp); dropped a day after the decisions that use them.
  inputs,
};

inline constexpr std::size_t column_count = 9;

/// RocksDB's names for them; `meta` is RocksDB's default column family.
inline constexpr std::array<std::string_view, column_count> column_names{
  "default", "performance", "decisions", "feedback",
  "ledger",  "experiments", "api_keys", "spend", "inputs"};

[[nodiscard]] constexpr std::string_view to_string(column c) noexcept {
  return column_names[static_cast<std::size_t>(c)];
}

} // namespace switchyard::storage
