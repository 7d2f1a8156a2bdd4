#pragma once

#include "switchyard/actors/coordinator_actor.hpp"

namespace switchyard::actors {

/// The executed task's answer: `answer` when step `s` succeeded (else the
/// step's error), what the task spent and tried, and its decision (moved
/// out of `r`).
[[nodiscard]] task_reply
task_answer(coordinator_state::task_run& r, const engine::task_step& s,
            engine::call_result* answer, double latency_ms);

/// The decision log's record of a task that ends now: its rounds (moved out
/// of `r`), with the caller's answer when it executed (`out`), else the
/// error it ended with.
[[nodiscard]] decision_record
task_decision_record(coordinator_state::task_run& r, const task_reply* out,
                     std::uint64_t seed, error_code error,
                     const std::string& error_text);

} // namespace switchyard::actors
