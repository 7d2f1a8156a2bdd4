#pragma once

#include "switchyard/messages/completion.hpp"

#include <caf/event_based_actor.hpp>

#include <vector>

namespace switchyard::actors {

/// Builds the prompt model's index (engine::prompt_index::build) off
/// learning's mailbox, so feedback never waits for a re-fit:
/// `(refit_atom, prompt_history_ptr, double now_s) -> prompt_index_ptr`,
/// shrinking toward `priors` (the registry's quality per model). Learning
/// spawns it detached in a running runtime (a build over a full history
/// takes up to a second or so) and on the scheduler under the deterministic
/// test coordinator.
caf::behavior prompt_index_builder(caf::event_based_actor* self,
                                   std::vector<double> priors);

} // namespace switchyard::actors
