#include "switchyard/actors/scorer_actor.hpp"

#include "switchyard/actors/task_routing.hpp"

#include <algorithm>

namespace switchyard::actors {

scorer_actor::behavior_type
scorer(scorer_actor::stateful_pointer<scorer_state> self, runtime_context ctx,
       engine::performance_table initial) {
  self->state.ctx = std::move(ctx);
  self->state.performance = std::move(initial);
  self->state.breaker_open.assign(self->state.ctx.registry->providers.size(), 0);
  return {
    [self](score_atom, const task_spec& t, const engine::classification& c,
           const route_context& rc) {
      auto& st = self->state;
      engine::router router{*st.ctx.registry, *st.ctx.classifier};
      auto req = route_request_for(t, rc);
      engine::routing_state rs;
      if (st.performance.model_count > 0)
        rs.performance = &st.performance;
      rs.breaker_open = st.breaker_open;
      rs.provider_unavailable = st.provider_unavailable;
      rs.model_unavailable = st.model_unavailable;
      rs.budget_remaining = rc.budget_remaining;
      engine::decision d;
      // The prompt's features go with the decision so that feedback can
      // train the predictor; its estimates count once it has learned.
      st.estimates.clear();
      if (st.predictor) {
        st.predictor->featurize(t.text, c, d.features);
        if (!st.predictor->untrained()) {
          st.predictor->estimate(d.features, st.estimates);
          rs.predicted_success = st.estimates;
        }
      }
      // The prompt model's terms go with it too; its estimates (success
      // and cost per model) join the predictor's once it has an index.
      engine::prompt_evidence read;
      const auto& pm = st.ctx.registry->prompt_model;
      if (pm.enabled) {
        engine::extract_prompt_terms(t.text, d.prompt_terms);
        if (st.prompt_index && st.prompt_index->prompts() > 0) {
          read = st.prompt_index->estimate(d.prompt_terms, st.prompt_estimates);
          engine::combine_estimates(st.estimates, st.prompt_estimates,
                                    pm.params.blend, st.combined);
          rs.predicted_success = st.combined;
        }
      }
      router.route(req, rs, d, &c);
      if (st.ctx.record_inputs) {
        engine::record_inputs(rs, d.cls.type, st.ctx.registry->models.size(),
                              d.inputs);
        d.inputs.prompt = read;
      }
      return d;
    },
    [self](snapshot_atom, engine::performance_table& table) {
      self->state.performance = std::move(table);
    },
    [self](snapshot_atom, predictor_view_ptr& view) {
      self->state.predictor = std::move(view);
    },
    [self](snapshot_atom, prompt_index_ptr& index) {
      self->state.prompt_index = std::move(index);
    },
    [self](avail_atom, availability_update& update) {
      auto any = [](const std::vector<std::uint8_t>& v) {
        return std::any_of(v.begin(), v.end(), [](auto b) { return b != 0; });
      };
      auto& st = self->state;
      st.provider_unavailable = any(update.providers)
                                  ? std::move(update.providers)
                                  : std::vector<std::uint8_t>{};
      st.model_unavailable = any(update.models) ? std::move(update.models)
                                                : std::vector<std::uint8_t>{};
    },
    [self](breaker_atom, const breaker_change& change) {
      auto& open = self->state.breaker_open;
      if (change.provider < open.size())
        open[change.provider] = change.phase == breaker_phase::open ? 1 : 0;
    },
  };
}

} // namespace switchyard::actors
