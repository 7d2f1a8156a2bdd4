#pragma once

#include "switchyard/engine/error_code.hpp"
#include "switchyard/engine/money.hpp"
#include "switchyard/engine/task_type.hpp"

#include <cstdint>
#include <string>

namespace switchyard::engine {

/// One step of a plan as it ran: its part of the task's decision, of the
/// embedding API's reply and of the gateway's headers.
struct step_outcome {
  /// "answer", "planner", "executor", a specialist's role, "synthesis",
  /// "critic", "judge" (quality escalation) or "escalation".
  std::string role;
  complexity_tier route_as = complexity_tier::simple;
  /// 0 for the first synthesis and critic; n for the n-th revision's.
  std::uint32_t revision = 0;
  /// The step ran (false: the plan dropped or cut it).
  bool ran = false;
  bool ok = false;
  /// The step's answer is the task's.
  bool final = false;
  bool has_model = false;
  /// The model that answered (or was routed, for a route-only plan).
  std::uint16_t model = 0;
  /// What the plan set aside for the step: its worst case.
  usd_nanos worst_cost_nanos = 0;
  usd_nanos cost_nanos = 0;
  /// When the step started, ms after the task did, and how long it took.
  double started_ms = 0.0;
  double latency_ms = 0.0;
  std::uint32_t input_tokens = 0;
  std::uint32_t output_tokens = 0;
  /// A critic's or judge's score, 0..1; negative for none.
  double score = -1.0;
  error_code error = error_code::none;
  /// Why it failed or was cut, or what the plan made of its answer.
  std::string note;

  friend bool operator==(const step_outcome&, const step_outcome&) = default;
};

} // namespace switchyard::engine
