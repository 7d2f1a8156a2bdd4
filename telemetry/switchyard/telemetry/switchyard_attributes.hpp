#pragma once

#include <string_view>

/// switchyard's own attribute names (the `switchyard.*` namespace, which no
/// semantic convention uses), next to the GenAI ones in
/// genai_attributes.hpp. Names are lowercase, dot-separated, as the
/// semantic conventions' naming rules ask.
namespace switchyard::telemetry::attrs {

// -- resource -----------------------------------------------------------------

/// The cluster node id (string).
inline constexpr std::string_view node_id = "switchyard.node.id";

// -- the routing decision -----------------------------------------------------

/// The decision id (string): `dec_` and 16 hex digits, as in the
/// `x-switchyard-decision-id` header, the access log, the decision log and
/// `switchyard explain` (see `decision_id_text`). A string, not an int:
/// a cluster node's ids set the top bit, past what OTLP's int64 holds.
inline constexpr std::string_view decision_id = "switchyard.decision.id";
/// The classified task type (string), e.g. `code_generation`.
inline constexpr std::string_view task_type = "switchyard.task.type";
/// The complexity tier (string), e.g. `moderate`.
inline constexpr std::string_view tier = "switchyard.tier";
/// The chosen model (string).
inline constexpr std::string_view chosen_model = "switchyard.model.chosen";
/// How many candidates the router scored (int).
inline constexpr std::string_view candidates = "switchyard.candidates";
/// The plan kind (string): single, chain, specialists, critic.
inline constexpr std::string_view plan_kind = "switchyard.plan.kind";

// -- upstream attempts --------------------------------------------------------

/// The attempt's cost in US dollars (double).
inline constexpr std::string_view cost_usd = "switchyard.cost.usd";
/// Whether the attempt is a fallback to another model (bool).
inline constexpr std::string_view fallback = "switchyard.fallback";
/// The retry number of the attempt, 0 for the first (int).
inline constexpr std::string_view retry = "switchyard.retry";
/// switchyard's error class for a failed attempt (string).
inline constexpr std::string_view error_class = "switchyard.error.class";
/// Seconds from sending to the first streamed token (double).
inline constexpr std::string_view time_to_first_token
  = "switchyard.time_to_first_token";

} // namespace switchyard::telemetry::attrs
