#pragma once

#include "switchyard/engine/provider_client.hpp"
#include "switchyard/engine/registry.hpp"

#include <functional>

namespace switchyard {

/// Makes the client that talks to one provider.
using provider_client_factory
  = std::function<engine::provider_client_ptr(const engine::provider_spec&)>;

} // namespace switchyard
