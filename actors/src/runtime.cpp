// runtime: the task API (route, execute, stream, feedback, approvals) and
// shutdown. Start-up is in runtime_start.cpp, the queries in
// runtime_admin.cpp.

#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"

#include "runtime_state.hpp"

#include "switchyard/actors/task_routing.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/messages/completion.hpp"
#include "switchyard/telemetry/internal_span_attributes.hpp"
#include "switchyard/telemetry/root_span.hpp"
#include "switchyard/telemetry/switchyard_attributes.hpp"

#include <algorithm>

namespace switchyard {

namespace {

template <class Reply>
Reply shutting_down() {
  Reply r;
  r.error = error_code::invalid_argument;
  r.error_message = "the runtime is shutting down";
  return r;
}

/// The root span of a task that arrives untraced while the runtime
/// traces (runtime_config::tracer); null otherwise, and then nothing is
/// allocated.
std::shared_ptr<telemetry::root_span>
start_task_span(const detail::runtime_state& s, task_spec& task) {
  if (!s.tracer || task.trace)
    return nullptr;
  auto span = std::make_shared<telemetry::root_span>(
    telemetry::root_span::start(s.tracer,
                                std::string{telemetry::span_names::task}));
  task.trace = span->parent();
  return span;
}

/// Ends a task's root span with how the task ended.
template <class Reply>
void end_task_span(telemetry::root_span& span, const Reply& r) {
  if (span.recording()) {
    if (r.decision_id != 0)
      span.set(telemetry::attrs::decision_id,
               telemetry::decision_id_text(r.decision_id));
    if (r.plan != engine::plan_kind::single)
      span.set(telemetry::attrs::plan_kind, engine::to_string(r.plan));
    if (!r.ok())
      span.fail(to_string(r.error));
  }
  span.end();
}

} // namespace

runtime::runtime(std::unique_ptr<detail::runtime_state> state)
  : state_(std::move(state)), admin_(new runtime_admin(*state_)) {
}

runtime::~runtime() {
  shutdown();
}

runtime_admin& runtime::admin() noexcept {
  return *admin_;
}

// -- tasks --------------------------------------------------------------------

void runtime::route(task_spec task, route_callback done) {
  auto& s = *state_;
  auto held = s.hold();
  if (!held || !s.admit()) {
    // Answered without the lock: the callback may call in again.
    held = {};
    return done(shutting_down<route_result>());
  }
  actors::complete_task(task);
  auto cb = std::make_shared<route_completion>();
  cb->fn = [p = &s, done = std::move(done),
            span = start_task_span(s, task)](route_result r) {
    if (span)
      end_task_span(*span, r);
    (r.ok() ? p->succeeded : p->failed).fetch_add(1, std::memory_order_relaxed);
    done(std::move(r));
    p->leave();
  };
  caf::anon_send(s.pick_coordinator(), route_atom::value, std::move(task),
                 std::move(cb));
}

std::future<route_result> runtime::route(task_spec task) {
  return detail::as_future<route_result>(
    [&](auto done) { route(std::move(task), std::move(done)); });
}

void runtime::execute(task_spec task, task_callback done) {
  execute_streaming(std::move(task), {}, std::move(done));
}

std::future<task_reply> runtime::execute(task_spec task) {
  return detail::as_future<task_reply>(
    [&](auto done) { execute(std::move(task), std::move(done)); });
}

void runtime::execute_streaming(task_spec task, event_callback on_event,
                                task_callback done) {
  auto& s = *state_;
  auto held = s.hold();
  if (!held || !s.admit()) {
    held = {};
    return done(shutting_down<task_reply>());
  }
  actors::complete_task(task);
  auto cb = std::make_shared<task_completion>();
  cb->on_event = std::move(on_event);
  cb->fn = [p = &s, done = std::move(done),
            span = start_task_span(s, task)](task_reply r) {
    if (span)
      end_task_span(*span, r);
    (r.ok() ? p->succeeded : p->failed).fetch_add(1, std::memory_order_relaxed);
    p->spent_nanos.fetch_add(r.cost_nanos, std::memory_order_relaxed);
    done(std::move(r));
    p->leave();
  };
  caf::anon_send(s.pick_coordinator(), execute_atom::value, std::move(task),
                 std::move(cb));
}

// -- feedback -----------------------------------------------------------------

void runtime::feedback(std::uint64_t decision_id,
                       engine::feedback_report report) {
  auto held = state_->hold();
  if (held && state_->graph.learning)
    caf::anon_send(state_->graph.learning, feedback_atom::value,
                   feedback_message{decision_id, report, {}});
}

void runtime::feedback(std::uint64_t decision_id,
                       engine::feedback_report report,
                       std::function<void(bool)> done) {
  feedback(decision_id, report, std::string{},
           [done = std::move(done)](error_code e) {
             done(e == error_code::none);
           });
}

void runtime::feedback(std::uint64_t decision_id,
                       engine::feedback_report report, std::string key_id,
                       std::function<void(error_code)> done) {
  // Answered once: by learning, or as not stored when it cannot be asked.
  auto reply = detail::make_reply<error_code>(
    [done = std::move(done)](caf::expected<error_code> e) {
      done(e ? *e : error_code::storage_failure);
    });
  auto msg = feedback_message{decision_id, report, std::move(key_id)};
  auto err = state_->to_bridge(
    [msg, reply](caf::event_based_actor* self, const actors::actor_graph& g) {
      self->request(g.learning, caf::infinite, feedback_atom::value, msg)
        .then([reply](feedback_ack& ack) { (*reply)(ack.result); },
              [reply](caf::error& e) { (*reply)(std::move(e)); });
    });
  if (err)
    (*reply)(std::move(err));
}

// -- approvals ----------------------------------------------------------------

std::future<bool> runtime::approve(std::uint64_t decision_id, bool approved) {
  auto promise = std::make_shared<std::promise<bool>>();
  auto future = promise->get_future();
  auto reply = detail::make_reply<bool>([promise](caf::expected<bool> found) {
    promise->set_value(found && *found);
  });
  auto err = state_->to_bridge([decision_id, approved, reply](
                                 caf::event_based_actor* self,
                                 const actors::actor_graph& g) {
    self
      ->request(g.owner_of(decision_id), caf::infinite, approve_atom::value,
                decision_id, approved)
      .then([reply](bool found) { (*reply)(found); },
            [reply](caf::error& e) { (*reply)(std::move(e)); });
  });
  if (err)
    (*reply)(std::move(err));
  return future;
}

std::future<std::vector<std::uint64_t>> runtime::pending_approvals() {
  using ids = std::vector<std::uint64_t>;
  auto promise = std::make_shared<std::promise<ids>>();
  auto future = promise->get_future();
  auto reply = detail::make_reply<ids>([promise](caf::expected<ids> found) {
    promise->set_value(found ? std::move(*found) : ids{});
  });
  auto err = state_->to_bridge(
    [reply](caf::event_based_actor* self, const actors::actor_graph& g) {
      // Ask every coordinator and merge; one that fails adds nothing.
      auto merged = std::make_shared<ids>();
      auto left = std::make_shared<std::size_t>(g.coordinators.size());
      auto one_done = [merged, left, reply] {
        if (--*left == 0) {
          std::sort(merged->begin(), merged->end());
          (*reply)(std::move(*merged));
        }
      };
      for (const auto& c : g.coordinators)
        self->request(c, caf::infinite, pending_atom::value)
          .then(
            [merged, one_done](ids& found) {
              merged->insert(merged->end(), found.begin(), found.end());
              one_done();
            },
            [one_done](caf::error&) { one_done(); });
    });
  if (err)
    (*reply)(std::move(err));
  return future;
}

// -- what it is doing ---------------------------------------------------------

runtime_stats runtime::stats() const {
  const auto& s = *state_;
  runtime_stats out;
  out.submitted = s.submitted.load(std::memory_order_relaxed);
  out.succeeded = s.succeeded.load(std::memory_order_relaxed);
  out.failed = s.failed.load(std::memory_order_relaxed);
  out.in_flight = s.in_flight.load(std::memory_order_relaxed);
  out.spent_usd
    = engine::nanos_to_usd(s.spent_nanos.load(std::memory_order_relaxed));
  // The queue outlives the actors: readable during and after shutdown.
  if (const auto& q = s.log_queue) {
    out.decisions_queued = q->queued();
    out.decisions_logged = q->written();
    out.decisions_dropped = q->dropped();
    out.decisions_failed = q->failed();
    out.decisions_evicted = q->evicted();
    out.decision_queue_capacity = q->capacity();
    out.store_error = q->last_error();
  }
  return out;
}

const engine::registry& runtime::registry() const noexcept {
  return *state_->registry;
}

const engine::time_source& runtime::clock() const noexcept {
  return *state_->clock;
}

// -- shutdown -----------------------------------------------------------------

void runtime::shutdown(std::chrono::milliseconds deadline) {
  auto& s = *state_;
  std::lock_guard<std::mutex> once{s.shutdown_mutex};
  if (s.stopped.load())
    return;
  s.closing.store(true, std::memory_order_release);
  {
    std::unique_lock<std::mutex> guard{s.drain_mutex};
    s.drained.wait_for(guard, deadline, [&] {
      return s.in_flight.load(std::memory_order_acquire) == 0;
    });
  }
  if (s.store) {
    // Everything learning and the ledger still hold goes to the store
    // before the actors stop: each answers once the store has what it sent.
    auto flushed = std::make_shared<std::promise<bool>>();
    auto future = flushed->get_future();
    auto reply = detail::make_reply<bool>([flushed](caf::expected<bool> ok) {
      flushed->set_value(ok && *ok);
    });
    auto err = s.to_bridge(
      [reply](caf::event_based_actor* self, const actors::actor_graph& g) {
        auto all_ok = std::make_shared<bool>(true);
        auto left = std::make_shared<int>(2);
        auto one_done = [reply, all_ok, left](bool ok) {
          *all_ok = *all_ok && ok;
          if (--*left == 0)
            (*reply)(*all_ok);
        };
        self->request(g.learning, caf::infinite, flush_atom::value)
          .then([one_done](bool ok) { one_done(ok); },
                [one_done](caf::error&) { one_done(false); });
        self->request(g.ledger, caf::infinite, flush_atom::value)
          .then([one_done](bool ok) { one_done(ok); },
                [one_done](caf::error&) { one_done(false); });
      });
    if (err)
      (*reply)(std::move(err));
    future.wait_for(deadline);
  }
  // From here on, calls are refused without touching what follows; the
  // lock waits for those already sending.
  s.stopped.store(true);
  std::unique_lock<std::shared_mutex> exclusive{s.teardown};
  if (s.extension)
    s.extension->stop();
  caf::anon_send_exit(s.bridge, caf::exit_reason::user_shutdown);
  s.bridge = nullptr;
  s.graph.stop();
  s.system.reset(); // joins the scheduler once every actor is gone
  s.store.reset();
}

} // namespace switchyard
