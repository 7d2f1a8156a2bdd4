#pragma once

// Records the storage tests write: small, valid, and told apart by id.

#include "switchyard/messages/storage_records.hpp"

#include <cstdint>
#include <string>

namespace switchyard::test {

/// An executed task's decision, one round, under config hash 42; its text
/// names its id.
inline decision_record sample_decision(std::uint64_t id,
                                       std::int64_t created_unix_ms) {
  decision_record r;
  r.decision_id = id;
  r.created_unix_ms = created_unix_ms;
  r.execute = true;
  r.task.text = "task " + std::to_string(id);
  decision_round round;
  round.decision.config_hash = 42;
  r.rounds.push_back(round);
  return r;
}

} // namespace switchyard::test
