#pragma once

#include "switchyard/engine/success_predictor.hpp"
#include "switchyard/messages/task_messages.hpp"

#include <caf/allowed_unsafe_message_type.hpp>

#include <functional>
#include <memory>

namespace switchyard::engine {
class prompt_history;
class prompt_index;
} // namespace switchyard::engine

namespace switchyard {

/// Callbacks that an embedding application hands to a coordinator so that
/// the answer needs no reply hop and no thread ever blocks on a receive.
/// They live inside one process and never cross the network.
struct task_completion {
  std::function<void(task_reply)> fn;
  /// Set to stream: every chunk of the answer, before `fn` runs once.
  std::function<void(const stream_event&)> on_event;
};

struct route_completion {
  std::function<void(route_result)> fn;
};

using task_completion_ptr = std::shared_ptr<task_completion>;
using route_completion_ptr = std::shared_ptr<route_completion>;

/// The success predictor's weights as learning last published them;
/// immutable, shared by the scorers. Local only.
using predictor_view_ptr
  = std::shared_ptr<const engine::success_predictor_view>;

/// The prompt model's index as learning last built it; immutable, shared by
/// the scorers. Local only.
using prompt_index_ptr = std::shared_ptr<const engine::prompt_index>;

/// A copy of the prompt model's history for the index builder. Local only.
using prompt_history_ptr = std::shared_ptr<const engine::prompt_history>;

} // namespace switchyard

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::task_completion_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::route_completion_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::predictor_view_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::prompt_index_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::prompt_history_ptr)
