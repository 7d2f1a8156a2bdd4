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

classifier_actor::behavior_type classifier(classifier_actor::pointer,
                                           runtime_context ctx) {
  return {
    [ctx](classify_atom, const task_spec& t) {
      auto input = engine::estimate_input_tokens(task_text_bytes(t),
                                                 t.context_tokens);
      return ctx.classifier->classify(
        {t.text, t.type, t.tier, t.complexity_score,
         t.required.has(engine::capability::vision), input});
    },
  };
}

classifier_actor spawn_classifier_pool(caf::actor_system& sys,
                                       const runtime_context& ctx,
                                       std::size_t workers) {
  auto pool = caf::actor_pool::make(
    sys.dummy_execution_unit(), std::max<std::size_t>(workers, 1),
    [&] { return caf::actor_cast<caf::actor>(sys.spawn(classifier, ctx)); },
    caf::actor_pool::round_robin());
  return caf::actor_cast<classifier_actor>(pool);
}

} // namespace switchyard::actors
