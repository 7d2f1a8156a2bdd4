#pragma once

#include "switchyard/actors/availability_board.hpp"
#include "switchyard/engine/availability.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/providers/key_lookup.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace switchyard::cli {

/// Per provider, what its configuration alone says: a key variable that is
/// unset, or a base URL that is not an absolute http(s) URL, makes it
/// unusable (and never routed to); `why` gets the reason to print, which
/// names the variable but never holds a key.
struct provider_configuration {
  std::vector<engine::unavailability> state;
  std::vector<std::string> why;
};

[[nodiscard]] provider_configuration
check_provider_configuration(const engine::registry& reg,
                             const providers::key_lookup& keys);

/// Asks every usable provider for its model listing once (3 s each, in
/// parallel, no tokens spent) and says what answered, as the gateway's
/// health checks would after their first round.
[[nodiscard]] actors::availability_board::snapshot
probe_providers(const engine::registry& reg, const provider_configuration& cfg);

/// The start-up report: one row per provider (kind, base URL, key variable
/// present or not, reachable or not, models available) and a warning line
/// for every enabled model that cannot be routed, and why. `probes` is the
/// health checks' board after the first round; null when nothing was
/// probed (`config check` without --probe).
void print_provider_report(std::ostream& out, const engine::registry& reg,
                           const provider_configuration& cfg,
                           const actors::availability_board::snapshot* probes);

} // namespace switchyard::cli
