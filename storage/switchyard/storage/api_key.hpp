#pragma once

#include <caf/expected.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::storage {

/// A client API key as the store keeps it: the SHA-256 of its secret, never
/// the secret. A key has its own budget and request-rate limit; an admin key
/// may manage keys and experiments.
struct api_key_record {
  /// "key_" and 16 hex digits; public, safe to log.
  std::string id;
  std::array<std::uint8_t, 32> secret_sha256{};
  std::string name;
  /// None: no budget of its own.
  std::optional<double> budget_usd;
  /// None: no rate limit.
  std::optional<std::uint32_t> requests_per_minute;
  std::int64_t created_unix_s = 0;
  bool revoked = false;
  std::int64_t revoked_unix_s = 0;
  bool admin = false;
};

/// A key just made: the record to store, and its secret, which is shown to
/// the user once and then exists nowhere else.
struct new_api_key {
  api_key_record record;
  std::string secret;
};

/// SHA-256 (OpenSSL).
[[nodiscard]] std::array<std::uint8_t, 32> sha256(std::string_view data);

/// Lower-case hex.
[[nodiscard]] std::string to_hex(const std::uint8_t* bytes, std::size_t n);

/// A key with a fresh id and secret ("sy-" and 64 hex digits) from OpenSSL's
/// CSPRNG. Fails only when the CSPRNG does.
[[nodiscard]] caf::expected<new_api_key>
make_api_key(std::string name, bool admin, std::int64_t now_unix_s);

/// Whether `secret` is this key's, compared in constant time.
[[nodiscard]] bool secret_matches(const api_key_record& key,
                                  std::string_view secret);

} // namespace switchyard::storage
