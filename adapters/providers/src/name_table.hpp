#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

namespace switchyard::providers::detail {

/// What `name`, one of a provider's names, means: its value in `table`,
/// else `otherwise`. Each wire format's finish reasons and error classes
/// are such a table, so one place says what each of the provider's names
/// stands for.
template<class T>
[[nodiscard]] constexpr T
lookup_name(std::string_view name,
            std::initializer_list<std::pair<std::string_view, T>> table,
            T otherwise) noexcept {
  for (const auto& [key, value] : table)
    if (key == name)
      return value;
  return otherwise;
}

} // namespace switchyard::providers::detail
