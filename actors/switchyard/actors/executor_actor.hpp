#pragma once

#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/engine/provider_client.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <caf/typed_response_promise.hpp>

#include <atomic>
#include <deque>
#include <memory>
#include <set>
#include <unordered_map>
#include <utility>

namespace switchyard::actors {

struct executor_state {
  static inline const char* name = "switchyard.executor";

  /// One call from its arrival to its one answer, across retries.
  /// What a streamed attempt has handed to the caller so far; written on
  /// the client's I/O thread, read once the attempt is done.
  struct streamed_output {
    std::atomic<std::uint64_t> text_bytes{0};
    std::atomic<std::uint64_t> reasoning_bytes{0};
    /// Tool calls begun (the highest tool index + 1).
    std::atomic<std::uint32_t> tool_calls{0};
  };

  struct pending_call {
    call_order order;
    /// Set for a streamed attempt: a stream cut at its budget answers with
    /// what was streamed (the client may have decoded more).
    std::shared_ptr<streamed_output> streamed;
    caf::typed_response_promise<engine::call_result> promise;
    /// Attempts started so far; stale callbacks carry an older number.
    std::uint32_t attempt = 0;
    bool in_flight = false;
    /// Waiting in `queue` for its first slot, with a deadline in
    /// `deadlines` (its total timeout, counted from its arrival).
    bool queued = false;
    engine::call_handle_ptr handle;
    caf::actor_clock::time_point started{};
    /// When the running attempt times out, or the queued call gives up
    /// waiting; its entry in `deadlines`.
    caf::actor_clock::time_point deadline{};
  };

  runtime_context ctx;
  const engine::provider_spec* provider = nullptr;
  engine::provider_client_ptr client;
  breaker_actor breaker;
  /// The breaker's phase as it last published it; while closed, a call
  /// starts without asking the breaker (acquiring from a closed breaker
  /// changes nothing). Null: always ask.
  std::shared_ptr<const std::atomic<breaker_phase>> breaker_phase_now;
  std::unordered_map<std::uint64_t, pending_call> calls;
  /// Calls waiting for a free slot, oldest first.
  std::deque<std::uint64_t> queue;
  /// Running attempts by deadline. One timer serves them all: it is armed
  /// for the earliest deadline, so a call costs no timer of its own in the
  /// actor clock (at 5,000 calls/s and a 120 s total timeout, that was
  /// 600,000 pending timer messages).
  std::set<std::pair<caf::actor_clock::time_point, std::uint64_t>> deadlines;
  /// When the armed timer fires; meaningful while `timer_armed`.
  caf::actor_clock::time_point timer_at{};
  bool timer_armed = false;
  std::uint32_t in_flight = 0;
  std::uint32_t retries = 0;
};

/// One provider's executor: at most `max_concurrency` calls in flight and
/// `max_queued` waiting; a call beyond both, or one that waited its total
/// timeout for a slot, is refused (call_error::overloaded, with a
/// Retry-After). Each call asks the breaker first (unless
/// `breaker_phase_now` shows it closed), runs under a total timeout, and is
/// retried with exponential backoff and jitter (honouring Retry-After)
/// while its error is retryable. A call whose task's cancel token fires is
/// dropped from the queue or aborted in flight (its connection closed),
/// and answers `cancelled` with the cost of what the upstream had read and
/// streamed (engine::abandoned_call_tokens).
executor_actor::behavior_type
executor(executor_actor::stateful_pointer<executor_state> self,
         runtime_context ctx, std::uint16_t provider,
         engine::provider_client_ptr client, breaker_actor breaker,
         std::shared_ptr<const std::atomic<breaker_phase>> breaker_phase_now
         = nullptr);

} // namespace switchyard::actors
