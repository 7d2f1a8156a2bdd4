#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::http {

/// One HTTP header field. Names compare case-insensitively (RFC 9110 5.1).
struct header {
  std::string name;
  std::string value;
};

using header_list = std::vector<header>;

/// ASCII case-insensitive equality, for header names.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

/// The value of the first field named `name`, or `nullopt`.
[[nodiscard]] std::optional<std::string_view>
find_header(std::span<const header> headers, std::string_view name) noexcept;

} // namespace switchyard::http
