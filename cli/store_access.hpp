#pragma once

#include "command_line.hpp"

#include "switchyard/engine/registry.hpp"
#include "switchyard/storage/store.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::cli {

/// Where the commands that read a node's state find it: --data-dir, else
/// $SWITCHYARD_DATA_DIR, else ./switchyard-data.
[[nodiscard]] std::string data_dir_from(const command_line& cl);

/// Opens the store in `dir`: read-only (works beside a running node) unless
/// `writable`. Prints why it cannot on stderr, prefixed with `command`, and
/// returns null.
[[nodiscard]] std::unique_ptr<storage::store>
open_store(const std::string& dir, bool writable, std::string_view command);

/// The registry from --config, or the built-in one; prints errors and
/// returns none.
[[nodiscard]] std::optional<engine::registry>
registry_from(const command_line& cl, std::string_view command);

/// "2025-11-21 22:41:07 UTC".
[[nodiscard]] std::string utc_time(std::int64_t unix_ms);

} // namespace switchyard::cli
