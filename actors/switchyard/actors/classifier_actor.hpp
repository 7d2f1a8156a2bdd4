#pragma once

#include "switchyard/actors/runtime_context.hpp"
#include "switchyard/actors/task_routing.hpp"
#include "switchyard/messages/actor_interfaces.hpp"

#include <caf/actor_system.hpp>

namespace switchyard::actors {

/// Stateless classification of one task; `score` passes the task on to
/// `scorer` with its classification.
classifier_actor::behavior_type classifier(classifier_actor::pointer self,
                                           runtime_context ctx,
                                           scorer_actor scorer);

/// A round-robin pool of `workers` classifiers behind one handle.
classifier_actor spawn_classifier_pool(caf::actor_system& sys,
                                       const runtime_context& ctx,
                                       scorer_actor scorer,
                                       std::size_t workers);

} // namespace switchyard::actors
