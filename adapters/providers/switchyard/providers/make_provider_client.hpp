#pragma once

#include "switchyard/engine/registry.hpp"
#include "switchyard/engine/time_source.hpp"
#include "switchyard/http/http_client.hpp"
#include "switchyard/providers/key_lookup.hpp"
#include "switchyard/providers/provider_client.hpp"

#include <caf/expected.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

namespace switchyard::providers {

/// Defaults for calls whose `call_request::timeouts` leave a field at zero.
struct provider_client_options {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds first_byte_timeout{120'000};
  std::chrono::milliseconds total_timeout{300'000};
  /// Response bodies (and whole streams) past this are refused; 0 takes the
  /// HTTP client's limit.
  std::size_t max_body_bytes = 0;
  /// The clock that dates in Retry-After are read against; the system's
  /// when null.
  std::shared_ptr<const engine::time_source> time;
};

/// Makes the client for `provider`, speaking the wire format its `kind`
/// names, over `http` (which must outlive it; destroying `http` first ends
/// every call in flight with `cancelled`). The result converts to the
/// runtime's `engine::provider_client_ptr`. The key is read once, here,
/// from the variable named by `api_key_env`; an unset variable is not an
/// error at this point, but every call then fails with `client_error`
/// naming the variable. Prices come from `reg` for the provider's models.
///
/// Fails with `error_code::invalid_config` when `base_url` is not an
/// absolute http(s) URL.
[[nodiscard]] caf::expected<std::shared_ptr<provider_client>>
make_provider_client(const engine::provider_spec& provider,
                     const engine::registry& reg, http::http_client& http,
                     const key_lookup& keys, provider_client_options opts = {});

} // namespace switchyard::providers
