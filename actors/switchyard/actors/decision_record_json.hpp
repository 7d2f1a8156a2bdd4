#pragma once

#include "switchyard/engine/classifier.hpp"
#include "switchyard/engine/registry.hpp"
#include "switchyard/messages/storage_records.hpp"

#include <string>
#include <vector>

namespace switchyard::actors {

/// A logged decision as one JSON object: the task, the outcome and its
/// attempts, feedback, and every routing round with the inputs it read and
/// the full decision evidence. `switchyard explain --json` prints it and
/// the gateway serves it at GET /v1/decisions/{id}.
[[nodiscard]] std::string
decision_record_json(const decision_record& rec,
                     const std::vector<feedback_record>& feedback,
                     const engine::registry& reg, bool registry_logged,
                     const engine::keyword_classifier& cls);

/// A model's registry id, or "#N" for an index the registry lacks.
[[nodiscard]] std::string model_name(const engine::registry& reg,
                                     std::uint16_t m);

/// "success", "partial", "failure" or "none".
[[nodiscard]] std::string verdict_name(engine::feedback_report::verdict v);

} // namespace switchyard::actors
