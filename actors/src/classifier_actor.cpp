#include "switchyard/actors/classifier_actor.hpp"

#include "switchyard/actors/task_routing.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_pool.hpp>

namespace switchyard::actors {

classifier_actor::behavior_type classifier(classifier_actor::pointer self,
                                           runtime_context ctx,
                                           scorer_actor scorer) {
  return {
    [ctx](classify_atom, const task_spec& t) {
      return classify_task(*ctx.classifier, t);
    },
    [self, ctx, scorer](score_atom, task_spec& t, route_context& rc) {
      auto cls = classify_task(*ctx.classifier, t);
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
