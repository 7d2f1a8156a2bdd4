#pragma once

#include "switchyard/engine/provider_call.hpp"

#include <functional>
#include <memory>

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
};

using provider_client_ptr = std::shared_ptr<provider_client>;

} // namespace switchyard::engine
