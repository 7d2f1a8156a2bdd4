#pragma once

#include "switchyard/engine/time_source.hpp"

#include <memory>

namespace switchyard {

/// The process's clocks (std::chrono::system_clock and steady_clock): the
/// only place outside adapters/http's socket timers that reads them.
[[nodiscard]] std::shared_ptr<const engine::time_source> system_time();

/// `t` when set, else system_time(): for configuration whose clock is
/// optional.
[[nodiscard]] std::shared_ptr<const engine::time_source>
time_or_system(std::shared_ptr<const engine::time_source> t);

} // namespace switchyard
