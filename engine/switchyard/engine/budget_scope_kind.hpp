#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::engine {

/// The budgets a call counts against at once. The order is the order in
/// which a refusal names the first one that cannot cover a call, and the
/// order of a grant's reservation ids.
enum class budget_scope_kind : std::uint8_t { global, daily, key };

inline constexpr std::size_t budget_scope_count = 3;

inline constexpr std::array<std::string_view, budget_scope_count>
  budget_scope_kind_names{"global", "daily", "key"};

/// "global", "daily" or "key": how a refusal names the scope.
[[nodiscard]] constexpr std::string_view
to_string(budget_scope_kind kind) noexcept {
  return budget_scope_kind_names[static_cast<std::size_t>(kind)];
}

// -- scope names in the store and across a cluster ---------------------------

/// "global".
[[nodiscard]] std::string global_scope_name();

/// "daily:<utc_day>", the day in days since the Unix epoch.
[[nodiscard]] std::string daily_scope_name(std::int64_t utc_day);

/// "key:<budget key>".
[[nodiscard]] std::string key_scope_name(std::string_view key);

/// The kind of a scope by its name; none for an unknown name.
[[nodiscard]] std::optional<budget_scope_kind>
kind_of_scope(std::string_view name) noexcept;

/// The budget key of a "key:" scope; empty for any other.
[[nodiscard]] std::string_view key_of_scope(std::string_view name) noexcept;

} // namespace switchyard::engine
