#pragma once

#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/provider_client.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <caf/typed_response_promise.hpp>

#include <deque>
#include <unordered_map>

namespace switchyard::actors {

struct executor_state {
  static inline const char* name = "switchyard.executor";

  /// One call from its arrival to its one answer, across retries.
  struct pending_call {
    call_order order;
    caf::typed_response_promise<engine::call_result> promise;
    /// Attempts started so far; stale callbacks carry an older number.
    std::uint32_t attempt = 0;
    bool in_flight = false;
    engine::call_handle_ptr handle;
    caf::actor_clock::time_point started{};
  };

  runtime_context ctx;
  const engine::provider_spec* provider = nullptr;
  engine::provider_client_ptr client;
  breaker_actor breaker;
  std::unordered_map<std::uint64_t, pending_call> calls;
  /// Calls waiting for a free slot, oldest first.
  std::deque<std::uint64_t> queue;
  std::uint32_t in_flight = 0;
  std::uint32_t retries = 0;
};

/// One provider's executor: at most `max_concurrency` calls in flight, the
/// rest queued; each call asks the breaker first, runs under a total
/// timeout, and is retried with exponential backoff and jitter (honouring
/// Retry-After) while its error is retryable.
executor_actor::behavior_type
executor(executor_actor::stateful_pointer<executor_state> self,
         runtime_context ctx, std::uint16_t provider,
         engine::provider_client_ptr client, breaker_actor breaker);

} // namespace switchyard::actors
