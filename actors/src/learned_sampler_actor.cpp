#include "switchyard/actors/learned_sampler_actor.hpp"

#include "switchyard/storage/store.hpp"

#include <algorithm>
#include <caf/actor_cast.hpp>
#include <memory>

namespace switchyard::actors {

namespace {

using self_ptr = learned_sampler_actor::stateful_pointer<learned_sampler_state>;

/// The cells of `t` that hold any samples, by registry id.
storage::learned_sample_record sample_of(const engine::performance_table& t,
                                         const engine::registry& reg,
                                         std::int64_t unix_ms) {
  storage::learned_sample_record rec;
  rec.unix_ms = unix_ms;
  for (std::size_t m = 0; m < t.model_count && m < reg.models.size(); ++m)
    for (std::size_t ty = 0; ty < engine::task_type_count; ++ty) {
      auto type = static_cast<engine::task_type>(ty);
      const auto* p = t.find(static_cast<std::uint16_t>(m), type);
      if (p != nullptr && p->samples > 0)
        rec.cells.push_back({reg.models[m].id, type, p->success, p->latency_ms,
                             p->feedback_weight, p->samples, p->confidence});
    }
  return rec;
}

void keep(learned_sampler_state& st, storage::learned_sample_record rec) {
  st.ring.push_back(std::move(rec));
  while (st.ring.size() > st.settings.samples)
    st.ring.pop_front();
}

/// Into the store's ring: one slot per interval, wrapping at the sample
/// count.
void store(self_ptr self, const storage::learned_sample_record& rec) {
  auto& st = self->state;
  if (!st.storage)
    return;
  auto interval = std::max<std::int64_t>(st.settings.interval.count(), 1);
  auto slot = static_cast<std::uint64_t>(rec.unix_ms / interval)
              % std::max<std::size_t>(st.settings.samples, 1);
  auto job = std::make_shared<storage_job>();
  job->run = [rec, slot](storage::store& db) {
    // A lost sample costs one point of a chart: the store counts and logs
    // its own write failures.
    static_cast<void>(db.put_learned_sample(rec, slot));
  };
  self->send(st.storage, run_atom::value, std::move(job));
}

void take_sample(self_ptr self) {
  auto& st = self->state;
  self->request(st.learning, caf::infinite, snapshot_atom::value)
    .then(
      [self](engine::performance_table& t) {
        auto& s = self->state;
        if (t.model_count == 0)
          return;
        auto rec = sample_of(t, *s.ctx.registry, s.ctx.wall_now_ms());
        store(self, rec);
        keep(s, std::move(rec));
      },
      [](caf::error&) {
        // Learning is gone (shutting down): no sample this round.
      });
  self->delayed_send(caf::actor_cast<learned_sampler_actor>(self),
                     st.settings.interval, sample_atom::value);
}

} // namespace

learned_sampler_actor::behavior_type learned_sampler(
  learned_sampler_actor::stateful_pointer<learned_sampler_state> self,
  runtime_context ctx, learned_sampling settings, learning_actor learning,
  storage_actor storage, std::vector<storage::learned_sample_record> restored) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.settings = settings;
  st.settings.samples = std::max<std::size_t>(st.settings.samples, 1);
  st.learning = std::move(learning);
  st.storage = std::move(storage);
  std::sort(restored.begin(), restored.end(), [](const auto& a, const auto& b) {
    return a.unix_ms < b.unix_ms;
  });
  for (auto& r : restored)
    keep(st, std::move(r));
  take_sample(self);
  return {
    [self](sample_atom) {
      take_sample(self);
    },
    [self](snapshot_atom, std::int64_t since) {
      std::vector<storage::learned_sample_record> out;
      for (const auto& r : self->state.ring)
        if (r.unix_ms > since)
          out.push_back(r);
      return out;
    },
  };
}

} // namespace switchyard::actors
