#include "switchyard/actors/breaker_actor.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

namespace switchyard::actors {

namespace {

breaker_change change_of(const breaker_state& st) {
  breaker_change c;
  c.provider = st.provider;
  c.phase = static_cast<breaker_phase>(st.core.state());
  c.reopens_at_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      st.core.reopens_at().time_since_epoch())
                      .count();
  c.trips = st.trips;
  return c;
}

void publish(breaker_actor::stateful_pointer<breaker_state> self,
             bool caused_here = true) {
  if (self->state.core.state() == engine::breaker_state::open)
    ++self->state.trips;
  auto change = change_of(self->state);
  if (self->state.history && change.phase != self->state.published)
    self->state.history->record(change.provider, self->state.published,
                                change.phase);
  self->state.published = change.phase;
  if (self->state.phase_now)
    self->state.phase_now->store(change.phase, std::memory_order_release);
  for (const auto& s : self->state.subscribers)
    self->send(s, breaker_atom::value, change);
  if (caused_here && self->state.cluster
      && self->state.core.state() == engine::breaker_state::open)
    caf::anon_send(self->state.cluster, breaker_atom::value, change,
               static_cast<std::int64_t>(self->state.core.cooldown().count()));
  if (self->state.core.state() == engine::breaker_state::open)
    self->delayed_send(caf::actor_cast<breaker_actor>(self),
                       self->state.core.reopens_at() - self->clock().now(),
                       poll_atom::value);
}

} // namespace

breaker_actor::behavior_type
breaker(breaker_actor::stateful_pointer<breaker_state> self,
        std::uint16_t provider, engine::breaker_config cfg,
        std::vector<scorer_actor> subscribers,
        std::shared_ptr<breaker_history> history,
        std::shared_ptr<std::atomic<breaker_phase>> phase_now) {
  self->state.provider = provider;
  self->state.phase_now = std::move(phase_now);
  if (self->state.phase_now)
    self->state.phase_now->store(breaker_phase::closed,
                                 std::memory_order_release);
  self->state.history = std::move(history);
  self->state.core = engine::circuit_breaker{cfg};
  self->state.subscribers = std::move(subscribers);
  return {
    [self](acquire_atom) {
      auto ok = self->state.core.try_acquire(self->clock().now());
      if (self->state.core.take_transition())
        publish(self);
      return ok;
    },
    [self](report_atom, bool ok) {
      auto now = self->clock().now();
      auto& core = self->state.core;
      if (ok ? core.on_success(now) : core.on_failure(now))
        publish(self);
    },
    [self](probe_atom, bool ok) {
      auto& core = self->state.core;
      if (ok ? core.on_probe_success() : core.on_failure(self->clock().now()))
        publish(self);
    },
    [self](poll_atom) {
      if (self->state.core.poll(self->clock().now()))
        publish(self);
    },
    [self](state_atom) { return change_of(self->state); },
    [self](cluster_atom, caf::actor& cluster) {
      self->state.cluster = std::move(cluster);
    },
    [self](force_open_atom, std::int64_t for_ms) {
      if (self->state.core.force_open(self->clock().now(),
                                      std::chrono::milliseconds{for_ms}))
        publish(self, false);
    },
  };
}

} // namespace switchyard::actors
