#pragma once

#include "switchyard/engine/budget_scope_kind.hpp"
#include "switchyard/engine/money.hpp"

#include <optional>

namespace switchyard::engine {

/// Caps in nanodollars; none means that budget is unlimited.
struct budget_caps {
  std::optional<usd_nanos> global;
  std::optional<usd_nanos> daily;
  /// For every budget key without a cap of its own.
  std::optional<usd_nanos> per_key;

  [[nodiscard]] std::optional<usd_nanos>
  of(budget_scope_kind kind) const noexcept {
    switch (kind) {
      case budget_scope_kind::global:
        return global;
      case budget_scope_kind::daily:
        return daily;
      case budget_scope_kind::key:
        return per_key;
    }
    return std::nullopt;
  }

  [[nodiscard]] bool any() const noexcept {
    return global || daily || per_key;
  }
};

} // namespace switchyard::engine
