// Who a request comes from: the admin key, an API key from the key store,
// or a dashboard session; and the keys loaded at start-up.

#include "gateway_impl.hpp"

#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"

#include <future>

namespace switchyard::gateway {

bool gateway_server::impl::load_keys(std::string& why) {
  if (cfg.data_dir.empty())
    return true;
  // Start-up, on the caller's thread: waiting for the storage thread is fine.
  auto& admin = rt->admin();
  std::promise<caf::expected<std::vector<storage::api_key_record>>> loaded;
  admin.api_keys(
    [&loaded](caf::expected<std::vector<storage::api_key_record>> stored) {
      loaded.set_value(std::move(stored));
    });
  auto list = loaded.get_future().get();
  if (!list) {
    why = "cannot read the API keys in " + cfg.data_dir + ": "
          + error_message(list.error());
    return false;
  }
  for (auto& k : *list) {
    if (k.budget_usd && !k.revoked)
      admin.set_key_budget(k.id, k.budget_usd);
    keys.put(std::move(k));
  }
  return true;
}

caller gateway_server::impl::authenticate(const http::server_request& req) {
  caller c;
  if (!cfg.auth) {
    c.ok = true;
    c.admin = true;
    return c;
  }
  std::optional<std::string_view> secret;
  if (auto h = req.header("authorization")) {
    auto v = *h;
    if (v.size() > 7
        && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer "))
      secret = v.substr(7);
  }
  if (!secret)
    if (auto h = req.header("x-api-key"))
      secret = *h;
  if (!secret && dashboard && dashboard->has_session(req)) {
    c.ok = true;
    c.admin = true;
    c.key_id = "dashboard";
    return c;
  }
  if (secret && cfg.admin_key_hash
      && hash_secret(*secret) == *cfg.admin_key_hash) {
    c.ok = true;
    c.admin = true;
    c.key_id = "admin";
    return c;
  }
  auto r = keys.check(secret, clock_type::now());
  switch (r.outcome) {
    case key_store::verdict::ok:
      c.ok = true;
      c.admin = r.key->admin;
      c.key_id = r.key->id;
      return c;
    case key_store::verdict::missing:
      c.error = {401, "invalid_request_error", "missing_api_key",
                 "You didn't provide an API key. Provide it in the "
                 "Authorization header (Bearer KEY) or in x-api-key."};
      return c;
    case key_store::verdict::unknown:
      c.error = {401, "invalid_request_error", "invalid_api_key",
                 "Incorrect API key provided."};
      return c;
    case key_store::verdict::revoked:
      c.error = {401, "invalid_request_error", "invalid_api_key",
                 "This API key has been revoked."};
      return c;
    case key_store::verdict::rate_limited: {
      auto secs = (r.retry_after.count() + 999) / 1000;
      c.error = {429, "rate_limit_error", "rate_limit_exceeded",
                 "Rate limit reached for this key ("
                   + std::to_string(r.key->requests_per_minute.value_or(0))
                   + " requests per minute). Retry after "
                   + std::to_string(secs) + " s."};
      c.extra.push_back({"retry-after", std::to_string(secs)});
      c.key_id = r.key->id;
      return c;
    }
  }
  return c;
}

} // namespace switchyard::gateway
