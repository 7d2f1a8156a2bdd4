#pragma once

#include "switchyard/engine/registry.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::sim::detail {

/// The newest requests the simulator received, bodies as sent, so that a
/// test can check exactly what reached the upstream (images, schemas,
/// tools, tool results and their ids). Bounded by count and by total body
/// bytes; safe to use from any I/O thread.
class request_log {
 public:
  request_log(std::size_t max_requests, std::size_t max_bytes)
      : max_requests_(max_requests), max_bytes_(max_bytes) {}

  /// Records a request whose body is valid JSON, with its W3C
  /// `traceparent` header ("" when it had none).
  void add(engine::provider_kind kind, std::string_view model,
           std::string_view path, std::string_view body,
           std::string_view traceparent = {});

  /// `{"requests": [...]}`, newest first, at most `limit`, filtered by
  /// model and format when given. Each entry has `seq` (1 for the first
  /// request recorded), `format`, `model`, `path` and `body` (the JSON as
  /// sent; null when it alone was over the byte bound), and `traceparent`
  /// when the request carried one.
  [[nodiscard]] std::string to_json(std::string_view model,
                                    std::optional<engine::provider_kind> kind,
                                    std::size_t limit) const;

 private:
  struct entry {
    std::uint64_t seq = 0;
    engine::provider_kind kind = engine::provider_kind::openai;
    std::string model;
    std::string path;
    std::string body;
    std::string traceparent;
  };

  std::size_t max_requests_;
  std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::deque<entry> entries_;
  std::size_t bytes_ = 0;
  std::uint64_t next_seq_ = 1;
};

/// The value of `name` in a URL query string, percent-decoded; none when
/// absent.
[[nodiscard]] std::optional<std::string> query_param(std::string_view query,
                                                     std::string_view name);

/// A URL path's text, percent-decoded ('+' stays '+'), e.g. a model name
/// holding '/' sent as `%2F`.
[[nodiscard]] std::string path_decoded(std::string_view segment);

} // namespace switchyard::sim::detail
