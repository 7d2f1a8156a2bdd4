#include "switchyard/engine/budget_scope_kind.hpp"

namespace switchyard::engine {

namespace {

constexpr std::string_view daily_prefix = "daily:";
constexpr std::string_view key_prefix = "key:";

} // namespace

std::string global_scope_name() {
  return std::string{to_string(budget_scope_kind::global)};
}

std::string daily_scope_name(std::int64_t utc_day) {
  return std::string{daily_prefix} + std::to_string(utc_day);
}

std::string key_scope_name(std::string_view key) {
  std::string name{key_prefix};
  name += key;
  return name;
}

std::optional<budget_scope_kind> kind_of_scope(std::string_view name) noexcept {
  if (name == to_string(budget_scope_kind::global))
    return budget_scope_kind::global;
  if (name.starts_with(daily_prefix))
    return budget_scope_kind::daily;
  if (name.starts_with(key_prefix))
    return budget_scope_kind::key;
  return std::nullopt;
}

std::string_view key_of_scope(std::string_view name) noexcept {
  if (!name.starts_with(key_prefix))
    return {};
  return name.substr(key_prefix.size());
}

} // namespace switchyard::engine
