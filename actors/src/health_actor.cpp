#include "switchyard/actors/health_actor.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

namespace switchyard::actors {

namespace {

using self_ptr = health_actor::stateful_pointer<health_state>;

void publish(self_ptr self) {
  auto& st = self->state;
  caf::anon_send(st.scorer, avail_atom::value,
                 availability_update{st.tracker->providers(),
                                     st.tracker->models()});
}

void write_board(self_ptr self, std::uint16_t provider,
                 const engine::model_listing* listing) {
  auto& st = self->state;
  auto snap = st.board->read();
  auto n = st.tracker->providers().size();
  snap.providers.resize(n);
  for (std::size_t p = 0; p < n; ++p) {
    snap.providers[p].state = st.tracker->provider(p);
    snap.providers[p].probed = st.tracker->probed(p, st.cfg.probes[p]);
    snap.providers[p].consecutive_failures = st.tracker->failures(p);
    snap.providers[p].served = st.tracker->served(p);
  }
  if (listing != nullptr) {
    auto& row = snap.providers[provider];
    ++row.probes;
    row.last_probe_unix_ms = st.ctx.wall_now_ms();
    row.last_status = listing->http_status;
    row.last_error = listing->error_message;
  }
  snap.models = st.tracker->models();
  st.board->write(std::move(snap));
}

void end_first_round(self_ptr self) {
  if (!self->state.board->first_round_done())
    self->state.board->finish_first_round();
}

} // namespace

health_actor::behavior_type
health(self_ptr self, runtime_context ctx, health_config cfg,
       std::vector<engine::provider_client_ptr> clients, scorer_actor scorer,
       std::vector<breaker_actor> breakers,
       std::shared_ptr<availability_board> board) {
  auto& st = self->state;
  const auto& reg = *ctx.registry;
  st.tracker = std::make_unique<engine::availability_tracker>(reg);
  cfg.configured.resize(reg.providers.size(), engine::unavailability::none);
  cfg.probes.resize(reg.providers.size());
  for (std::size_t p = 0; p < reg.providers.size(); ++p) {
    st.tracker->set_configured(p, cfg.configured[p]);
    if (!cfg.probes[p].enabled)
      st.tracker->assume_available(p);
  }
  st.cfg = std::move(cfg);
  st.clients = std::move(clients);
  st.clients.resize(reg.providers.size());
  st.scorer = std::move(scorer);
  st.breakers = std::move(breakers);
  st.board = std::move(board);
  st.ctx = std::move(ctx);
  st.rng.seed(static_cast<std::uint32_t>(st.ctx.seed));
  st.answered.assign(reg.providers.size(), false);
  publish(self);
  write_board(self, 0, nullptr);
  auto me = caf::actor_cast<health_actor>(self);
  for (std::size_t p = 0; p < reg.providers.size(); ++p)
    if (st.tracker->probed(p, st.cfg.probes[p]) && st.clients[p]) {
      ++st.first_round_pending;
      self->send(me, probe_atom::value, static_cast<std::uint16_t>(p));
    }
  if (st.first_round_pending == 0)
    end_first_round(self);
  else
    self->delayed_send(me, st.cfg.first_round_bound, timeout_atom::value);
  return {
    [self](probe_atom, std::uint16_t p) {
      auto& s = self->state;
      auto back = caf::actor_cast<health_actor>(self);
      // The answer comes on a client I/O thread: hand it back as a message.
      s.clients[p]->list_models(s.cfg.probes[p].timeout,
                                [back, p](engine::model_listing r) {
                                  caf::anon_send(back, probed_atom::value, p,
                                                 std::move(r));
                                });
    },
    [self](probed_atom, std::uint16_t p, engine::model_listing& r) {
      auto& s = self->state;
      engine::probe_result result{r.reached, r.http_status, r.models};
      if (s.tracker->on_probe(p, result))
        publish(self);
      bool ok = r.reached && r.http_status >= 200 && r.http_status < 300;
      if (p < s.breakers.size())
        self->send(s.breakers[p], probe_atom::value, ok);
      write_board(self, p, &r);
      if (!s.answered[p]) {
        s.answered[p] = true;
        if (--s.first_round_pending == 0)
          end_first_round(self);
      }
      std::uniform_real_distribution<double> unit{0.0, 1.0};
      auto now = self->clock().now();
      auto at = s.tracker->next_probe(p, s.cfg.probes[p], now, unit(s.rng));
      self->delayed_send(caf::actor_cast<health_actor>(self), at - now,
                         probe_atom::value, p);
    },
    [self](timeout_atom) { end_first_round(self); },
  };
}

} // namespace switchyard::actors
