#include "switchyard/gateway/key_store.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>

namespace switchyard::gateway {

namespace {

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0xf]);
  }
  return out;
}

} // namespace

std::string hash_secret(std::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(secret.data(), secret.size(), digest, &len, EVP_sha256(),
             nullptr);
  return hex(digest, len);
}

new_api_key make_api_key(std::string name, bool admin,
                         std::optional<double> budget_usd,
                         std::uint32_t requests_per_minute) {
  unsigned char raw[24];
  unsigned char id_raw[8];
  RAND_bytes(raw, sizeof(raw));
  RAND_bytes(id_raw, sizeof(id_raw));
  new_api_key k;
  k.secret = "sk-sy-" + hex(raw, sizeof(raw));
  k.record.id = "key_" + hex(id_raw, sizeof(id_raw));
  k.record.name = std::move(name);
  k.record.secret_hash = hash_secret(k.secret);
  k.record.admin = admin;
  k.record.budget_usd = budget_usd;
  k.record.requests_per_minute = requests_per_minute;
  return k;
}

void key_store::put(api_key_record record) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& slot = by_hash_[record.secret_hash];
  if (!slot)
    slot = std::make_unique<entry>();
  slot->record = std::move(record);
}

bool key_store::revoke(std::string_view id) {
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto& [hash, e] : by_hash_)
    if (e->record.id == id) {
      e->record.revoked = true;
      return true;
    }
  return false;
}

std::vector<api_key_record> key_store::list() const {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<api_key_record> out;
  for (const auto& [hash, e] : by_hash_)
    out.push_back(e->record);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

key_store::check_result
key_store::check(std::optional<std::string_view> secret,
                 std::chrono::steady_clock::time_point now) {
  check_result r;
  if (!secret || secret->empty())
    return r;
  auto hash = hash_secret(*secret);
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = by_hash_.find(hash);
  if (i == by_hash_.end()) {
    r.outcome = verdict::unknown;
    return r;
  }
  auto& e = *i->second;
  r.key = &e.record;
  if (e.record.revoked) {
    r.outcome = verdict::revoked;
    return r;
  }
  if (auto rpm = e.record.requests_per_minute; rpm > 0) {
    // A bucket of `rpm` tokens refilled continuously over a minute.
    auto capacity = static_cast<double>(rpm);
    if (!e.bucket_started) {
      e.tokens = capacity;
      e.refilled = now;
      e.bucket_started = true;
    }
    auto elapsed = std::chrono::duration<double>(now - e.refilled).count();
    e.tokens = std::min(capacity, e.tokens + elapsed * capacity / 60.0);
    e.refilled = now;
    if (e.tokens < 1.0) {
      r.outcome = verdict::rate_limited;
      auto wait_s = (1.0 - e.tokens) * 60.0 / capacity;
      r.retry_after = std::chrono::milliseconds{
        static_cast<std::int64_t>(wait_s * 1000.0) + 1};
      return r;
    }
    e.tokens -= 1.0;
  }
  r.outcome = verdict::ok;
  return r;
}

} // namespace switchyard::gateway
