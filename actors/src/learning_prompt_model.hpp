#pragma once

#include "switchyard/actors/learning_actor.hpp"

#include <string>

namespace switchyard::actors {

// Learning's handling of the prompt model (prompt_model_state): called from
// learning's message handlers.

using learning_self = learning_actor::stateful_pointer<learning_state>;

/// Sets up the prompt model when the registry enables it: loads `saved`
/// (prompt_history::save), spawns the index builder and builds the first
/// index from what was loaded.
void start_prompt_model(learning_self self, const std::string& saved);

/// Keeps a routed decision's prompt terms for its feedback.
void remember_prompt(learning_state& st, std::uint64_t decision,
                     std::vector<engine::prompt_term> terms);

/// Notes the cost of the call that answered a remembered decision.
void note_prompt_cost(learning_state& st, std::uint64_t decision,
                      std::int64_t cost_nanos);

/// Teaches the history one feedback score of `model` on a remembered
/// decision's prompt (nothing when learning no longer remembers it).
void learn_prompt(learning_state& st, std::uint64_t decision,
                  std::uint16_t model, double score, double now_s);

/// Asks the builder for a new index when the history has changed enough
/// (engine::needs_refit) and no build is under way; the scorers get it when
/// it is done.
void refit_prompt_model(learning_self self);

/// Sends the history to the store when it has unsaved outcomes and either
/// `now` or the save interval has passed.
void save_prompt_history(learning_self self, bool now);

} // namespace switchyard::actors
