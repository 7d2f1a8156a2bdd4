#pragma once

#include "switchyard/engine/provider_call.hpp"

#include <functional>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace switchyard::engine {

/// Cancels a call in flight. Idempotent and safe from any thread; a cancelled
/// call still completes once, with call_error::cancelled unless it had
/// already finished.
class call_handle {
public:
  virtual ~call_handle() = default;
  virtual void cancel() noexcept = 0;
};

using call_handle_ptr = std::shared_ptr<call_handle>;

/// What a provider's model listing said (its models endpoint, asked with
/// the key; no tokens spent): the health probe and local model discovery.
struct model_listing {
  /// An HTTP response arrived.
  bool reached = false;
  int http_status = 0;
  /// The upstream names it serves, as the provider spells them.
  std::vector<std::string> models;
  /// What went wrong, never a key.
  std::string error_message;
};

/// The seam between the runtime and a provider's wire format. The executor
/// actor calls it; the adapters (HTTP) implement it, and tests use in-process
/// fakes. Callbacks run exactly once per call, on the client's I/O thread or
/// inline; they must be cheap (hand the result to an actor and return).
class provider_client {
public:
  using done_fn = std::function<void(call_result)>;
  using chunk_fn = std::function<void(const stream_chunk&)>;

  virtual ~provider_client() = default;

  virtual call_handle_ptr call(call_request req, done_fn done) = 0;

  virtual call_handle_ptr stream(call_request req, chunk_fn on_chunk,
                                 done_fn done) = 0;

  using listing_fn = std::function<void(model_listing)>;

  /// Asks the provider which models it serves, within `timeout`. Calls
  /// `done` once. Clients that cannot list answer "not reached", which
  /// health checks treat as "unknown".
  virtual call_handle_ptr list_models(std::chrono::milliseconds timeout,
                                      listing_fn done) {
    (void) timeout;
    model_listing r;
    r.error_message = "this client cannot list models";
    done(std::move(r));
    return nullptr;
  }
};

using provider_client_ptr = std::shared_ptr<provider_client>;

} // namespace switchyard::engine
