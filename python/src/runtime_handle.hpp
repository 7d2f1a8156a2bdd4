#pragma once

#include "switchyard/embedded_runtime.hpp"

#include <memory>

namespace switchyard::python {

/// The runtime behind a `switchyard.Runtime`, shared with the replies and
/// streams it made: they read model names from its registry after it has
/// closed.
struct runtime_handle {
  std::unique_ptr<embedded_runtime> rt;
};

using runtime_handle_ptr = std::shared_ptr<runtime_handle>;

} // namespace switchyard::python
