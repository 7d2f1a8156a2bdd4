#pragma once

#include "switchyard/storage/api_key.hpp"

#include <chrono>
#include <memory>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <array>
#include <map>
#include <vector>

namespace switchyard::gateway {

using storage::api_key_record;

/// Hex SHA-256 of `secret` (how the admin key's hash is configured).
[[nodiscard]] std::string hash_secret(std::string_view secret);

/// The keys the gateway accepts, looked up by hash, with a token bucket per
/// key for its request rate. Thread-safe.
class key_store {
public:
  enum class verdict { ok, missing, unknown, revoked, rate_limited };

  struct check_result {
    verdict outcome = verdict::missing;
    const api_key_record* key = nullptr;
    /// For rate_limited: when a request would be allowed again.
    std::chrono::milliseconds retry_after{0};
  };

  /// Adds or replaces a key (by its secret's hash).
  void put(api_key_record record);
  /// Marks a key revoked; the revoked record, or none for an unknown id.
  std::optional<api_key_record> revoke(std::string_view id,
                                       std::int64_t now_unix_s);
  [[nodiscard]] std::vector<api_key_record> list() const;

  /// Checks a presented secret and takes one request from its bucket.
  /// The record pointer stays valid for the store's lifetime.
  [[nodiscard]] check_result check(std::optional<std::string_view> secret,
                                   std::chrono::steady_clock::time_point now);

private:
  struct entry {
    api_key_record record;
    double tokens = 0.0;
    std::chrono::steady_clock::time_point refilled{};
    bool bucket_started = false;
  };
  mutable std::mutex mutex_;
  /// By the secret's SHA-256. Entries are never erased (revoked ones stay), so
  /// pointers to records stay valid.
  std::map<std::array<std::uint8_t, 32>, std::unique_ptr<entry>> by_hash_;
};

} // namespace switchyard::gateway
