#include "switchyard/actors/prompt_index_builder.hpp"

#include "switchyard/engine/prompt_index.hpp"
#include "switchyard/messages/atoms.hpp"

namespace switchyard::actors {

caf::behavior prompt_index_builder(caf::event_based_actor*,
                                   std::vector<double> priors) {
  return {
    [priors = std::move(priors)](refit_atom, const prompt_history_ptr& history,
                                 double now_s) -> prompt_index_ptr {
      if (!history)
        return std::make_shared<const engine::prompt_index>();
      return std::make_shared<const engine::prompt_index>(
        engine::prompt_index::build(*history, priors, now_s));
    },
  };
}

} // namespace switchyard::actors
