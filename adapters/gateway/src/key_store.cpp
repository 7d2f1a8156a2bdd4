#include "switchyard/gateway/key_store.hpp"

#include <algorithm>

namespace switchyard::gateway {

std::string hash_secret(std::string_view secret) {
  auto digest = storage::sha256(secret);
  return storage::to_hex(digest.data(), digest.size());
}

void key_store::put(api_key_record record) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto& slot = by_hash_[record.secret_sha256];
  if (!slot)
    slot = std::make_unique<entry>();
  slot->record = std::move(record);
}

std::optional<api_key_record> key_store::revoke(std::string_view id,
                                                std::int64_t now_unix_s) {
  std::lock_guard<std::mutex> guard{mutex_};
  for (auto& [hash, e] : by_hash_)
    if (e->record.id == id) {
      if (!e->record.revoked) {
        e->record.revoked = true;
        e->record.revoked_unix_s = now_unix_s;
      }
      return e->record;
    }
  return std::nullopt;
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
  auto hash = storage::sha256(*secret);
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
  if (auto rpm = e.record.requests_per_minute.value_or(0); rpm > 0) {
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
