#include "switchyard/actors/classifier_actor.hpp"

#include "switchyard/engine/estimate.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_pool.hpp>

namespace switchyard::actors {

std::size_t task_text_bytes(const task_spec& t) noexcept {
  if (t.messages.empty())
    return t.text.size();
  std::size_t n = 0;
  for (const auto& m : t.messages)
    n += m.content.size();
  return n;
}

namespace {

engine::classification classify_task(const runtime_context& ctx,
                                     const task_spec& t) {
  auto input = engine::estimate_input_tokens(task_text_bytes(t),
                                             t.context_tokens);
  return ctx.classifier->classify({t.text, t.type, t.tier, t.complexity_score,
                                   t.required.has(engine::capability::vision),
                                   input});
}

} // namespace

classifier_actor::behavior_type classifier(classifier_actor::pointer self,
                                           runtime_context ctx,
                                           scorer_actor scorer) {
  return {
    [ctx](classify_atom, const task_spec& t) { return classify_task(ctx, t); },
    [self, ctx, scorer](score_atom, task_spec& t, route_context& rc) {
      auto cls = classify_task(ctx, t);
      return self->delegate(scorer, score_atom::value, std::move(t), cls,
                            std::move(rc));
    },
  };
}

classifier_actor spawn_classifier_pool(caf::actor_system& sys,
                                       const runtime_context& ctx,
                                       scorer_actor scorer,
                                       std::size_t workers) {
  auto pool = caf::actor_pool::make(
    sys.dummy_execution_unit(), std::max<std::size_t>(workers, 1),
    [&] {
      return caf::actor_cast<caf::actor>(sys.spawn(classifier, ctx, scorer));
    },
    caf::actor_pool::round_robin());
  return caf::actor_cast<classifier_actor>(pool);
}

} // namespace switchyard::actors
