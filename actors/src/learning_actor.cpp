#include "switchyard/actors/learning_actor.hpp"

#include <caf/actor_cast.hpp>

namespace switchyard::actors {

namespace {

/// Decisions remembered for feedback.
constexpr std::size_t max_remembered_decisions = 200'000;

double seconds(caf::actor_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

engine::learned_cell& cell_of(learning_state& st, std::uint16_t model,
                              engine::task_type type) {
  return st.cells[model * engine::task_type_count
                  + static_cast<std::size_t>(type)];
}

engine::performance_table snapshot(const learning_state& st, double now_s) {
  engine::performance_table t;
  t.resize(st.ctx.registry->models.size());
  for (std::size_t i = 0; i < st.cells.size(); ++i)
    t.cells[i] = engine::view_of(st.cells[i], now_s, st.params);
  return t;
}

void remember(learning_state& st, std::uint64_t decision, std::uint16_t model,
              engine::task_type type) {
  if (decision == 0 || !st.decisions.emplace(decision, std::pair{model, type}).second)
    return;
  st.decision_order.push_back(decision);
  if (st.decision_order.size() > max_remembered_decisions) {
    st.decisions.erase(st.decision_order.front());
    st.decision_order.pop_front();
  }
}

void schedule_publish(learning_actor::stateful_pointer<learning_state> self) {
  if (self->state.publish_pending)
    return;
  self->state.publish_pending = true;
  self->delayed_send(caf::actor_cast<learning_actor>(self),
                     learning_publish_delay, publish_atom::value);
}

} // namespace

learning_actor::behavior_type
learning(learning_actor::stateful_pointer<learning_state> self,
         runtime_context ctx, std::vector<scorer_actor> subscribers) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.subscribers = std::move(subscribers);
  st.cells.resize(st.ctx.registry->models.size() * engine::task_type_count);
  return {
    [self](outcome_atom, const outcome_report& o) {
      auto& s = self->state;
      if (o.model >= s.ctx.registry->models.size())
        return;
      remember(s, o.decision_id, o.model, o.type);
      engine::apply_outcome(cell_of(s, o.model, o.type), o.success,
                            o.latency_ms, static_cast<double>(o.cost_nanos),
                            seconds(self->clock().now()), s.params);
      schedule_publish(self);
    },
    [self](route_atom, std::uint64_t decision, std::uint16_t model,
           engine::task_type type) {
      if (model < self->state.ctx.registry->models.size())
        remember(self->state, decision, model, type);
    },
    [self](feedback_atom, const feedback_message& f) {
      auto& s = self->state;
      auto i = s.decisions.find(f.decision_id);
      auto score = engine::score_feedback(f.report);
      if (i == s.decisions.end() || !score) {
        ++s.feedback_unmatched;
        return;
      }
      engine::apply_feedback(cell_of(s, i->second.first, i->second.second),
                             *score, seconds(self->clock().now()), s.params);
      schedule_publish(self);
    },
    [self](publish_atom) {
      auto& s = self->state;
      s.publish_pending = false;
      auto table = snapshot(s, seconds(self->clock().now()));
      for (const auto& sub : s.subscribers)
        self->send(sub, snapshot_atom::value, table);
    },
    [self](snapshot_atom) {
      return snapshot(self->state, seconds(self->clock().now()));
    },
  };
}

} // namespace switchyard::actors
