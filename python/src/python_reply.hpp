#pragma once

#include "runtime_handle.hpp"

#include "switchyard/messages/task_messages.hpp"

namespace switchyard::python {

/// A task's reply as Python sees it (switchyard.Reply): the reply, and the
/// runtime whose registry names its models.
struct python_reply {
  task_reply reply;
  runtime_handle_ptr owner;
};

} // namespace switchyard::python
