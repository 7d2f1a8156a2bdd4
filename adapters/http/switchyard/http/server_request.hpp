#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace switchyard::http {

/// A header of a request being handled; views into the server's buffers.
struct header_view {
  std::string_view name;
  std::string_view value;
};

/// A request as a handler sees it. Every view is valid only during the
/// handler call: copy what must outlive it.
struct server_request {
  std::string_view method;
  /// Origin-form: path plus query.
  std::string_view target;
  std::span<const header_view> headers;
  std::string_view body;
  /// The peer's address, `ip:port`.
  std::string_view peer;

  /// The first header named `name` (case-insensitive).
  [[nodiscard]] std::optional<std::string_view>
  header(std::string_view name) const noexcept;

  /// The target up to any '?'.
  [[nodiscard]] std::string_view path() const noexcept {
    return target.substr(0, target.find('?'));
  }

  /// The target after the '?', empty for none.
  [[nodiscard]] std::string_view query() const noexcept {
    auto q = target.find('?');
    return q == std::string_view::npos ? std::string_view{}
                                       : target.substr(q + 1);
  }
};

} // namespace switchyard::http
