#pragma once

#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/messages/actor_interfaces.hpp"
#include "switchyard/storage/learned_sample.hpp"

#include <caf/meta/type_name.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <vector>

namespace switchyard::storage {

// So that samples travel in the sampler's replies (in-process only).

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f,
                                        learned_sample_record::cell& x) {
  return f(caf::meta::type_name("learned_sample_cell"), x.model, x.type,
           x.success, x.latency_ms, x.feedback_weight, x.samples,
           x.confidence);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f,
                                        learned_sample_record& x) {
  return f(caf::meta::type_name("learned_sample_record"), x.unix_ms,
           x.cells);
}

} // namespace switchyard::storage

namespace switchyard::actors {

/// How often the learned state is sampled, and how many samples are kept.
struct learned_sampling {
  std::chrono::milliseconds interval{5'000};
  std::size_t samples = 720;
};

using sample_atom = caf::atom_constant<caf::atom("sample")>;

/// Samples learning's table every interval (on the actor clock) into a ring
/// in memory and, with a store, into the store's ring of samples (a slot
/// per interval), so that a restarted node shows its history; answers with
/// the samples newer than a time.
using learned_sampler_actor
  = caf::typed_actor<caf::reacts_to<sample_atom>,
                     caf::replies_to<snapshot_atom, std::int64_t>::with<
                       std::vector<storage::learned_sample_record>>>;

struct learned_sampler_state {
  static inline const char* name = "switchyard.learned_sampler";
  runtime_context ctx;
  learned_sampling settings;
  learning_actor learning;
  /// Null without a store.
  storage_actor storage;
  /// Oldest first, at most settings.samples.
  std::deque<storage::learned_sample_record> ring;
};

/// Starts from `restored` (the store's samples, oldest first) and takes its
/// first sample at once.
learned_sampler_actor::behavior_type learned_sampler(
  learned_sampler_actor::stateful_pointer<learned_sampler_state> self,
  runtime_context ctx, learned_sampling settings, learning_actor learning,
  storage_actor storage, std::vector<storage::learned_sample_record> restored);

} // namespace switchyard::actors
