#include "learning_prompt_model.hpp"

#include "switchyard/actors/prompt_index_builder.hpp"

#include <caf/spawn_options.hpp>

#include <cmath>
#include <limits>

namespace switchyard::actors {

void start_prompt_model(learning_self self, const std::string& saved) {
  auto& st = self->state;
  const auto& reg = *st.ctx.registry;
  if (!reg.prompt_model.enabled)
    return;
  auto& pm = st.prompt.emplace(reg.prompt_model.params);
  for (const auto& m : reg.models)
    pm.priors.push_back(m.quality);
  if (!saved.empty()) {
    std::vector<std::string> ids;
    for (const auto& m : reg.models)
      ids.push_back(m.id);
    pm.load_error = pm.history.load(saved, ids);
  }
  pm.saved_ms = st.ctx.wall_now_ms();
  pm.builder = st.ctx.detach_background_work
                 ? self->spawn<caf::detached>(prompt_index_builder, pm.priors)
                 : self->spawn(prompt_index_builder, pm.priors);
  refit_prompt_model(self);
}

void remember_prompt(learning_state& st, std::uint64_t decision,
                     std::vector<engine::prompt_term> terms) {
  if (!st.prompt || terms.empty())
    return;
  auto& pm = *st.prompt;
  auto [i, added] = pm.recent.try_emplace(decision);
  if (!added)
    return;
  i->second.terms = std::move(terms);
  pm.recent_order.push_back(decision);
  if (pm.recent_order.size() > prompt_terms_memory) {
    pm.recent.erase(pm.recent_order.front());
    pm.recent_order.pop_front();
  }
}

void note_prompt_cost(learning_state& st, std::uint64_t decision,
                      std::int64_t cost_nanos) {
  if (!st.prompt)
    return;
  if (auto i = st.prompt->recent.find(decision); i != st.prompt->recent.end())
    i->second.cost_nanos = cost_nanos;
}

void learn_prompt(learning_state& st, std::uint64_t decision,
                  std::uint16_t model, double score, double now_s) {
  if (!st.prompt)
    return;
  auto& pm = *st.prompt;
  auto i = pm.recent.find(decision);
  if (i == pm.recent.end())
    return;
  // A cost not yet known counts as none: the model's cost estimate then
  // rests on its other outcomes.
  auto cost = i->second.cost_nanos >= 0
                ? static_cast<double>(i->second.cost_nanos) / 1e9
                : std::numeric_limits<double>::quiet_NaN();
  pm.history.add(i->second.terms, model, score, cost, now_s);
  pm.unsaved = true;
  ++pm.outcomes_learned;
}

void refit_prompt_model(learning_self self) {
  auto& st = self->state;
  if (!st.prompt)
    return;
  auto& pm = *st.prompt;
  static const engine::prompt_index empty;
  if (pm.refit_in_flight
      || !engine::needs_refit(pm.history, pm.index ? *pm.index : empty))
    return;
  if (pm.history.size() == 0 && pm.index)
    return;
  pm.refit_in_flight = true;
  // The builder gets a copy: learning goes on adding to its own.
  auto copy = std::make_shared<const engine::prompt_history>(pm.history);
  self->request(pm.builder, caf::infinite, refit_atom::value,
                prompt_history_ptr{std::move(copy)}, st.ctx.wall_now_s())
    .then(
      [self](prompt_index_ptr& index) {
        auto& s = self->state;
        if (!s.prompt)
          return;
        s.prompt->refit_in_flight = false;
        s.prompt->index = index;
        ++s.prompt->refits;
        for (const auto& sub : s.subscribers)
          self->send(sub, snapshot_atom::value, index);
      },
      [self](caf::error&) {
        if (self->state.prompt)
          self->state.prompt->refit_in_flight = false;
      });
}

void save_prompt_history(learning_self self, bool now) {
  auto& st = self->state;
  if (!st.prompt || !st.storage || !st.prompt->unsaved)
    return;
  auto& pm = *st.prompt;
  auto now_ms = st.ctx.wall_now_ms();
  if (!now && now_ms - pm.saved_ms < prompt_history_save_interval.count())
    return;
  std::vector<std::string> ids;
  for (const auto& m : st.ctx.registry->models)
    ids.push_back(m.id);
  prompt_history_bytes out;
  pm.history.save(ids, out.bytes);
  pm.unsaved = false;
  pm.saved_ms = now_ms;
  self->send(st.storage, persist_atom::value, std::move(out));
}

} // namespace switchyard::actors
