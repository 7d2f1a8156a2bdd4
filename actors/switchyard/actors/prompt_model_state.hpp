#pragma once

#include "switchyard/engine/prompt_history.hpp"
#include "switchyard/engine/prompt_index.hpp"
#include "switchyard/messages/completion.hpp"

#include <caf/actor.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

namespace switchyard::actors {

/// Learning's part of the prompt model (the registry's `prompt_model:`
/// section): the history it trains, the index the scorers read, and what it
/// remembers of recent decisions until their feedback comes.
struct prompt_model_state {
  /// What learning remembers of a recent decision's prompt.
  struct remembered_prompt {
    std::vector<engine::prompt_term> terms;
    /// The answering call's cost, once its outcome came; -1 until then.
    std::int64_t cost_nanos = -1;
  };

  explicit prompt_model_state(const engine::prompt_model_params& params)
      : history(params) {}

  engine::prompt_history history;
  /// The index last built; what the scorers read.
  prompt_index_ptr index;
  /// Builds indexes off learning's mailbox (prompt_index_builder).
  caf::actor builder;
  bool refit_in_flight = false;
  /// The registry priors the index shrinks toward, by model (given to the
  /// builder when it is spawned).
  std::vector<double> priors;
  std::unordered_map<std::uint64_t, remembered_prompt> recent;
  /// Bounds `recent`: oldest first.
  std::deque<std::uint64_t> recent_order;
  bool unsaved = false;
  std::int64_t saved_ms = 0;
  /// Why the stored history could not be loaded (none: loaded or absent).
  engine::prompt_history_load_error load_error
    = engine::prompt_history_load_error::none;
  std::uint64_t outcomes_learned = 0;
  std::uint64_t refits = 0;
};

/// The history is written to the store at most this often (and at every
/// flush): it is the largest piece of learned state, and the feedback it
/// was learned from is durable on its own.
inline constexpr std::chrono::milliseconds prompt_history_save_interval{
  300'000};

/// Decisions whose prompt terms learning keeps for their feedback.
inline constexpr std::size_t prompt_terms_memory = 10'000;

} // namespace switchyard::actors
