#pragma once

#include "switchyard/engine/provider_client.hpp"
#include "switchyard/engine/registry.hpp"

#include <memory>

namespace switchyard::providers {

/// Called once per call with its outcome.
using done_callback = engine::provider_client::done_fn;

/// Called for each piece of a streamed answer. The views in the chunk are
/// valid during the call only.
using chunk_callback = engine::provider_client::chunk_fn;

/// The runtime's `engine::provider_client` spoken over HTTP in one
/// provider's wire format. One instance per provider, shared by all callers;
/// thread-safe. Held by `shared_ptr`: calls in flight keep it alive.
///
/// **Threads.** Callbacks run on an I/O thread of the `http::http_client`
/// the instance was made with, never inside `call` or `stream`. They must be
/// short and must not block: hand the result to an actor (a message send)
/// and return. A callback may start new calls or cancel others.
///
/// **Outcome.** `done` runs exactly once per call, last, whatever happens:
/// success, an upstream or transport error, cancellation (through the
/// returned handle), or the HTTP client's destruction. Failures are values
/// (`call_result::error`, with a message naming the provider); nothing
/// throws. Keys never appear in a message.
///
/// **Streams.** `on_chunk` runs for each delta, then `done` with the whole
/// text, the usage and the cost. A stream that stops without its final event
/// ends in `call_error::truncated`, never in a clean result.
///
/// **Model listings.** `list_models` asks the wire format's models endpoint
/// with the key (no tokens spent), on the same threads and rules: its
/// callback runs once, on an I/O thread. A transport failure, a timeout or
/// a missing key is `reached = false`; any response is `reached = true` with
/// its status, and 401/403 name the key's variable as refused. A non-empty
/// `error_message` always means the listing cannot be used, even with a 2xx
/// (a body that is not a listing).
class provider_client : public engine::provider_client {
 public:
  /// The provider this client speaks to.
  [[nodiscard]] virtual const engine::provider_spec& spec() const noexcept = 0;
};

} // namespace switchyard::providers
