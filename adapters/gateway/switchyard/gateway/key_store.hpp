#pragma once

#include <chrono>
#include <memory>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchyard::gateway {

/// A client API key as the gateway knows it. The secret itself is never
/// kept: only its SHA-256.
struct api_key_record {
  /// Public id, safe to log ("key_3f2a...").
  std::string id;
  std::string name;
  /// Hex SHA-256 of the secret.
  std::string secret_hash;
  bool admin = false;
  bool revoked = false;
  /// Budget for this key in USD; none for unlimited.
  std::optional<double> budget_usd;
  /// Requests per minute; 0 for unlimited.
  std::uint32_t requests_per_minute = 0;
};

/// Hex SHA-256 of `secret`.
[[nodiscard]] std::string hash_secret(std::string_view secret);

/// A fresh secret ("sk-sy-" + 48 hex digits from the OS's random source)
/// and the record that stores it hashed.
struct new_api_key {
  std::string secret;
  api_key_record record;
};
[[nodiscard]] new_api_key make_api_key(std::string name, bool admin,
                                       std::optional<double> budget_usd,
                                       std::uint32_t requests_per_minute);

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

  void put(api_key_record record);
  bool revoke(std::string_view id);
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
  /// By secret hash. Entries are never erased (revoked ones stay), so
  /// pointers to records stay valid.
  std::unordered_map<std::string, std::unique_ptr<entry>> by_hash_;
};

} // namespace switchyard::gateway
