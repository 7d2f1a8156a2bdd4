#include "switchyard/storage/api_key.hpp"

#include "switchyard/messages/error_code.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace switchyard::storage {

std::array<std::uint8_t, 32> sha256(std::string_view data) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int size = 0;
  // One-shot EVP digest: no context to leak, nothing that can fail for
  // SHA-256 on valid memory.
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(),
             nullptr);
  return digest;
}

std::string to_hex(const std::uint8_t* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0xf]);
  }
  return out;
}

caf::expected<new_api_key> make_api_key(std::string name, bool admin,
                                        std::int64_t now_unix_s) {
  std::array<std::uint8_t, 8> id_bytes{};
  std::array<std::uint8_t, 32> secret_bytes{};
  if (RAND_bytes(id_bytes.data(), static_cast<int>(id_bytes.size())) != 1
      || RAND_bytes(secret_bytes.data(), static_cast<int>(secret_bytes.size()))
           != 1)
    return caf::make_error(error_code::storage_failure,
                           std::string{"cannot make an API key: OpenSSL's "
                                       "random generator failed"});
  new_api_key k;
  k.secret = "sy-" + to_hex(secret_bytes.data(), secret_bytes.size());
  OPENSSL_cleanse(secret_bytes.data(), secret_bytes.size());
  k.record.id = "key_" + to_hex(id_bytes.data(), id_bytes.size());
  k.record.secret_sha256 = sha256(k.secret);
  k.record.name = std::move(name);
  k.record.admin = admin;
  k.record.created_unix_s = now_unix_s;
  return k;
}

bool secret_matches(const api_key_record& key, std::string_view secret) {
  auto digest = sha256(secret);
  return CRYPTO_memcmp(digest.data(), key.secret_sha256.data(), digest.size())
         == 0;
}

} // namespace switchyard::storage
