#include "switchyard/actors/executor_actor.hpp"

#include "switchyard/engine/abandoned_call.hpp"
#include "switchyard/engine/call_admission.hpp"
#include "switchyard/engine/cancel_token.hpp"
#include "switchyard/engine/retry_backoff.hpp"
#include "switchyard/telemetry/tracer.hpp"
#include "switchyard/telemetry/upstream_span.hpp"

#include <caf/actor_cast.hpp>
#include <caf/weak_intrusive_ptr.hpp>

namespace switchyard::actors {

namespace {

using self_ptr = executor_actor::stateful_pointer<executor_state>;

engine::call_result failure(const executor_state& st, const call_order& o,
                            engine::call_error e, std::string message) {
  engine::call_result r;
  r.model = o.request.model;
  r.error = e;
  r.finish_reason = "error";
  r.error_message = st.provider->id + ": " + std::move(message);
  return r;
}

void finish(self_ptr self, std::uint64_t id, engine::call_result r) {
  auto i = self->state.calls.find(id);
  if (i == self->state.calls.end())
    return;
  r.retries = i->second.attempt > 0 ? i->second.attempt - 1 : 0;
  i->second.promise.deliver(std::move(r));
  self->state.calls.erase(i);
}

void start(self_ptr self, std::uint64_t id);

/// Arms the one timeout timer for `at` unless it fires by then already.
void arm_timer(self_ptr self, caf::actor_clock::time_point at) {
  auto& st = self->state;
  if (st.timer_armed && st.timer_at <= at)
    return;
  st.timer_armed = true;
  st.timer_at = at;
  self->delayed_send(caf::actor_cast<executor_actor>(self),
                     at - self->clock().now(), timeout_atom::value);
}

void watch_deadline(self_ptr self, std::uint64_t id,
                    executor_state::pending_call& c,
                    caf::actor_clock::time_point at) {
  c.deadline = at;
  self->state.deadlines.emplace(at, id);
  arm_timer(self, at);
}

void unwatch_deadline(executor_state& st, std::uint64_t id,
                      const executor_state::pending_call& c) {
  st.deadlines.erase({c.deadline, id});
}

/// Starts queued calls while there are free slots.
void pump(self_ptr self) {
  auto& st = self->state;
  while (st.in_flight < st.provider->max_concurrency && !st.queue.empty()) {
    auto id = st.queue.front();
    st.queue.pop_front();
    start(self, id);
  }
}

void drop_from_queue(executor_state& st, std::uint64_t id) {
  st.queue.erase(std::remove(st.queue.begin(), st.queue.end(), id),
                 st.queue.end());
}

/// This node's refusal: no slot and no room to wait (or no slot within the
/// call's total timeout). Says nothing about the provider: no breaker
/// report, and the task falls back or its client is told to retry.
engine::call_result refusal(const executor_state& st, const call_order& o,
                            std::string why) {
  auto r = failure(st, o, engine::call_error::overloaded, std::move(why));
  r.retry_after = engine::overloaded_retry_after;
  return r;
}

/// The total timeout of one attempt of `o`.
caf::timespan total_timeout(const executor_state& st, const call_order& o) {
  return o.request.timeouts.total.count() > 0 ? o.request.timeouts.total
                                              : st.ctx.default_timeouts.total;
}

/// Asks the task's cancel token (if any) to cancel call `id` here when the
/// task is abandoned. False when it is abandoned already.
bool watch_cancellation(self_ptr self, std::uint64_t id, const call_order& o) {
  const auto& token = o.request.cancel;
  if (!token)
    return true;
  // The token outlives this actor possibly: hold it weakly.
  caf::weak_actor_ptr weak{self->ctrl()};
  return token->on_cancel([weak, id] {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<executor_actor>(strong),
                     cancel_atom::value, id);
  });
}

/// Puts the attempt's `traceparent` on the request when the call is traced
/// and its trace may go to this provider (telemetry::propagates_to).
void set_attempt_trace(engine::call_request& req, const executor_state& st,
                       std::uint64_t id, std::uint32_t attempt) {
  if (!req.trace || !telemetry::propagates_to(*req.trace, *st.provider))
    return;
  auto ctx = telemetry::attempt_context(req.trace->context, id, attempt);
  req.traceparent.clear();
  ctx.append_traceparent(req.traceparent);
  req.tracestate = std::move(ctx.trace_state);
}

/// Records the client span of the attempt that just ended with `r`, when
/// its trace is sampled. Its start is the attempt's start on the actor
/// clock, placed on the tracer's timeline by the time elapsed since.
void record_attempt(self_ptr self, std::uint64_t id,
                    const executor_state::pending_call& c,
                    const engine::call_result& r) {
  const auto& trace = c.order.request.trace;
  if (!trace || !trace->context.sampled())
    return;
  const auto& tracer = *trace->tracer;
  auto end = tracer.now_unix_nanos();
  auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
                   self->clock().now() - c.started)
                   .count();
  auto start = elapsed > 0 && static_cast<std::uint64_t>(elapsed) < end
                 ? end - static_cast<std::uint64_t>(elapsed)
                 : end;
  tracer.record_upstream({*trace, *self->state.provider, c.order.request, r,
                          id, c.attempt, start, end});
}

void on_acquired(self_ptr self, std::uint64_t id, std::uint32_t attempt,
                 bool allowed) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end() || i->second.attempt != attempt) {
    // Cancelled while asking; a granted half-open probe frees itself after
    // the breaker's probe timeout.
    return;
  }
  auto& c = i->second;
  if (!allowed) {
    c.in_flight = false;
    --st.in_flight;
    finish(self, id,
           failure(st, c.order, engine::call_error::breaker_open,
                   "circuit breaker is open"));
    pump(self);
    return;
  }
  c.started = self->clock().now();
  set_attempt_trace(c.order.request, st, id, attempt);
  // The client calls back on its own thread: hand the result to this actor
  // through a weak handle, so a late callback cannot keep it alive.
  caf::weak_actor_ptr weak{self->ctrl()};
  auto done = [weak, id, attempt](engine::call_result r) {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<executor_actor>(strong), done_atom::value,
                     id, attempt, std::move(r));
  };
  if (auto sink = c.order.sink) {
    // Chunks go straight to the caller from the client's I/O thread; the
    // stream is cut once it passes the tokens its reservation covers
    // (counted from usage when the upstream reports it, else ~4 bytes a
    // token).
    auto handle = std::make_shared<engine::call_handle_ptr>();
    auto out = std::make_shared<executor_state::streamed_output>();
    c.streamed = out;
    c.handle = st.client->stream(
      c.order.request,
      [sink, handle, out](const engine::stream_chunk& chunk) {
        if (sink->cut.load())
          return;
        sink->started.store(true);
        out->text_bytes.fetch_add(chunk.delta.size());
        out->reasoning_bytes.fetch_add(chunk.reasoning.size());
        if (chunk.tool_index) {
          auto begun = *chunk.tool_index + 1;
          auto seen = out->tool_calls.load();
          while (seen < begun && !out->tool_calls.compare_exchange_weak(seen, begun)) {
          }
        }
        // Tool-call arguments and reasoning are output tokens too.
        auto n = chunk.delta.size() + chunk.tool_arguments.size()
                 + chunk.reasoning.size();
        auto bytes = sink->output_bytes.fetch_add(n) + n;
        auto tokens = chunk.output_tokens ? *chunk.output_tokens
                                          : static_cast<std::uint32_t>(bytes / 4);
        sink->on_event({sink->decision_id, sink->model, chunk});
        if (sink->max_output_tokens != 0 && tokens > sink->max_output_tokens
            && !sink->cut.exchange(true) && *handle)
          (*handle)->cancel();
      },
      std::move(done));
    *handle = c.handle;
  } else {
    c.handle = st.client->call(c.order.request, std::move(done));
  }
  watch_deadline(self, id, c, c.started + total_timeout(st, c.order));
}

void start(self_ptr self, std::uint64_t id) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end())
    return;
  auto& c = i->second;
  if (c.queued) {
    // Its wait in the queue is over; the attempt's own deadline is set once
    // it is under way.
    unwatch_deadline(st, id, c);
    c.queued = false;
    c.deadline = caf::actor_clock::time_point::max();
  }
  auto attempt = ++c.attempt;
  c.in_flight = true;
  ++st.in_flight;
  if (st.breaker_phase_now
      && st.breaker_phase_now->load(std::memory_order_acquire)
           == breaker_phase::closed) {
    on_acquired(self, id, attempt, true);
    return;
  }
  self->request(st.breaker, caf::infinite, acquire_atom::value)
    .then([self, id, attempt](bool ok) { on_acquired(self, id, attempt, ok); },
          [self, id, attempt](caf::error&) {
            on_acquired(self, id, attempt, false);
          });
}

/// Keeps of a cut stream's result what the caller was given: the client
/// goes on decoding the bytes it had read when it was cancelled, and those
/// chunks were never forwarded.
void trim_to_streamed(engine::call_result& r,
                      const executor_state::streamed_output& out) {
  auto text = out.text_bytes.load();
  if (r.text.size() > text)
    r.text.resize(text);
  auto reasoning = out.reasoning_bytes.load();
  std::uint32_t calls = 0;
  std::vector<engine::content_part> kept;
  for (auto& p : r.content) {
    if (p.kind == engine::part_kind::reasoning) {
      if (reasoning == 0 && !p.text.empty())
        continue;
      if (p.text.size() > reasoning)
        p.text.resize(reasoning);
      reasoning -= p.text.size();
    } else if (p.kind == engine::part_kind::tool_call) {
      if (calls >= out.tool_calls.load())
        continue;
      ++calls;
    }
    kept.push_back(std::move(p));
  }
  r.content = std::move(kept);
}

void on_done(self_ptr self, std::uint64_t id, std::uint32_t attempt,
             engine::call_result r) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end() || i->second.attempt != attempt
      || !i->second.in_flight)
    return; // a stale answer: timed out or cancelled already
  auto& c = i->second;
  c.in_flight = false;
  c.handle.reset();
  unwatch_deadline(st, id, c);
  --st.in_flight;
  if (r.latency_ms <= 0.0)
    r.latency_ms = std::chrono::duration<double, std::milli>(
                     self->clock().now() - c.started)
                     .count();
  if (r.model.empty())
    r.model = c.order.request.model;
  if (r.error != engine::call_error::cancelled)
    self->send(st.breaker, report_atom::value,
               r.ok() || !engine::counts_against_provider(r.error));
  if (c.order.sink && c.order.sink->cut.load()) {
    // Cut at the budget cap: what was streamed is the answer.
    r.error = engine::call_error::budget_exceeded;
    r.finish_reason = "length";
    if (c.streamed)
      trim_to_streamed(r, *c.streamed);
  }
  record_attempt(self, id, c, r);
  bool streamed = c.order.sink && c.order.sink->started.load();
  if (!r.ok() && engine::is_retryable(r.error) && !streamed) {
    auto seed = st.ctx.seed ^ engine::splitmix64(id);
    if (auto delay = engine::retry_delay(st.ctx.registry->policy.retry,
                                         c.attempt, seed, r.retry_after)) {
      ++st.retries;
      self->delayed_send(caf::actor_cast<executor_actor>(self), *delay,
                         retry_atom::value, id);
      pump(self);
      return;
    }
  }
  finish(self, id, std::move(r));
  pump(self);
}

/// The timer fired: every attempt past its deadline times out.
void on_timer(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  if (st.timer_armed && st.timer_at <= now)
    st.timer_armed = false; // else a timer armed later than the current one
  std::vector<std::pair<caf::actor_clock::time_point, std::uint64_t>> due;
  while (!st.deadlines.empty() && st.deadlines.begin()->first <= now) {
    due.push_back(*st.deadlines.begin());
    st.deadlines.erase(st.deadlines.begin());
  }
  for (auto [at, id] : due) {
    auto i = st.calls.find(id);
    // Gone, or moved on since this deadline was set: an earlier one in
    // this round freed a slot that a queued call took.
    if (i == st.calls.end() || i->second.deadline != at)
      continue;
    if (i->second.queued) {
      // Waited its whole total timeout for a slot.
      i->second.queued = false;
      drop_from_queue(st, id);
      finish(self, id,
             refusal(st, i->second.order,
                     "no free slot within the total timeout ("
                       + std::to_string(st.provider->max_concurrency)
                       + " calls in flight)"));
      continue;
    }
    if (!i->second.in_flight)
      continue;
    if (i->second.handle)
      i->second.handle->cancel();
    // Its deadline entry is gone already: on_done's erase finds nothing.
    on_done(self, id, i->second.attempt,
            failure(st, i->second.order, engine::call_error::timeout,
                    "no answer within the total timeout"));
  }
  if (!st.deadlines.empty())
    arm_timer(self, st.deadlines.begin()->first);
}

} // namespace

executor_actor::behavior_type
executor(executor_actor::stateful_pointer<executor_state> self,
         runtime_context ctx, std::uint16_t provider,
         engine::provider_client_ptr client, breaker_actor breaker,
         std::shared_ptr<const std::atomic<breaker_phase>> breaker_phase_now) {
  auto& st = self->state;
  st.breaker_phase_now = std::move(breaker_phase_now);
  st.ctx = std::move(ctx);
  st.provider = &st.ctx.registry->providers.at(provider);
  st.client = std::move(client);
  st.breaker = std::move(breaker);
  return {
    [self](call_atom, call_order& order)
      -> caf::typed_response_promise<engine::call_result> {
      auto& s = self->state;
      auto id = order.call_id;
      auto& c = s.calls[id];
      c.order = std::move(order);
      c.promise = self->make_response_promise<engine::call_result>();
      auto promise = c.promise;
      if (!s.client) {
        finish(self, id,
               failure(s, c.order, engine::call_error::connection,
                       "no client is configured for this provider"));
        return promise;
      }
      if (!watch_cancellation(self, id, c.order)) {
        finish(self, id,
               failure(s, c.order, engine::call_error::cancelled,
                       "the task was abandoned"));
        return promise;
      }
      switch (engine::admit_call(*s.provider, s.in_flight, s.queue.size())) {
        case engine::admission::start: start(self, id); break;
        case engine::admission::queue:
          s.queue.push_back(id);
          c.queued = true;
          watch_deadline(self, id, c,
                         self->clock().now() + total_timeout(s, c.order));
          break;
        case engine::admission::refuse:
          finish(self, id,
                 refusal(s, c.order,
                         std::to_string(s.provider->max_concurrency)
                           + " calls in flight and "
                           + std::to_string(s.queue.size())
                           + " waiting (max_concurrency, max_queued)"));
          break;
      }
      return promise;
    },
    [self](cancel_atom, std::uint64_t id) {
      auto& s = self->state;
      auto i = s.calls.find(id);
      if (i == s.calls.end())
        return;
      auto& c = i->second;
      auto r = failure(s, c.order, engine::call_error::cancelled, "cancelled");
      if (c.in_flight) {
        if (c.handle) {
          c.handle->cancel();
          // The upstream had the request: it bills what it read and wrote.
          auto streamed = c.order.sink ? c.order.sink->output_bytes.load() : 0;
          if (auto m = s.ctx.registry->find_model(c.order.request.model))
            r.cost_nanos = engine::estimate_cost(
                             *m, engine::abandoned_call_tokens(c.order.request,
                                                               streamed))
                             .expected;
        }
        record_attempt(self, id, c, r);
        unwatch_deadline(s, id, c);
        c.in_flight = false;
        --s.in_flight;
      } else {
        if (c.queued)
          unwatch_deadline(s, id, c);
        c.queued = false;
        drop_from_queue(s, id);
      }
      finish(self, id, std::move(r));
      pump(self);
    },
    [self](done_atom, std::uint64_t id, std::uint32_t attempt,
           engine::call_result& r) { on_done(self, id, attempt, std::move(r)); },
    [self](retry_atom, std::uint64_t id) {
      auto& s = self->state;
      if (s.calls.count(id) == 0)
        return;
      // Admitted already: it waits first in line, however long the queue.
      if (s.in_flight < s.provider->max_concurrency)
        start(self, id);
      else
        s.queue.push_front(id);
    },
    [self](timeout_atom) { on_timer(self); },
  };
}

} // namespace switchyard::actors
