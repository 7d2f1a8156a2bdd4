#pragma once

#include <cstdint>
#include <string_view>

namespace switchyard {

/// The project's error codes. Adapters, storage and config return
/// `caf::expected<T>` carrying one of these plus a human-readable message
/// that says what was wrong and where (never a secret).
enum class error_code : std::uint8_t {
  none = 0,
  invalid_config,
  invalid_argument,
  unknown_model,
  no_candidate,
  budget_exhausted,
  io_failure,
  /// The store (RocksDB) failed to read or write.
  storage_failure,
  /// A record that was asked for is not there (or expired).
  not_found,
  /// A stored value could not be decoded: damaged, or written by a newer
  /// build in an encoding version this one does not know.
  corrupt_data,
  /// The model exists but cannot answer now (its provider has no key, or
  /// its local server does not serve it): the operator's configuration.
  model_unavailable,
  /// The caller abandoned the task (its client disconnected): its calls
  /// were aborted and its reservations released.
  cancelled,
  /// This node refused the task for now: every capable model's provider
  /// had its calls in flight and its wait queue full (max_concurrency,
  /// max_queued). The gateway answers 429 with Retry-After.
  overloaded,
};

[[nodiscard]] constexpr std::string_view to_string(error_code c) noexcept {
  switch (c) {
    case error_code::none: return "none";
    case error_code::invalid_config: return "invalid_config";
    case error_code::invalid_argument: return "invalid_argument";
    case error_code::unknown_model: return "unknown_model";
    case error_code::no_candidate: return "no_candidate";
    case error_code::budget_exhausted: return "budget_exhausted";
    case error_code::io_failure: return "io_failure";
    case error_code::storage_failure: return "storage_failure";
    case error_code::not_found: return "not_found";
    case error_code::corrupt_data: return "corrupt_data";
    case error_code::model_unavailable: return "model_unavailable";
    case error_code::cancelled: return "cancelled";
    case error_code::overloaded: return "overloaded";
  }
  return "unknown";
}

} // namespace switchyard
