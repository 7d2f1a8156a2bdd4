#pragma once

// What the runtime keeps in its store (storage/), as messages: the actors
// hand these to the storage actor, and storage/ encodes them.

#include "switchyard/engine/experiment.hpp"
#include "switchyard/engine/learning.hpp"
#include "switchyard/messages/task_messages.hpp"

#include <caf/allowed_unsafe_message_type.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard {

// -- the decision log ---------------------------------------------------------

/// One routing round of a task: what the scorer was told and what it
/// decided. The decision carries the inputs it read (`decision.inputs`).
struct decision_round {
  route_context context;
  engine::decision decision;
  /// engine::evidence_hash() of the decision as made, from a compact record
  /// (which stores it instead of the evidence); 0 when not recorded.
  std::uint64_t evidence_hash = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, decision_round& x) {
  return f(caf::meta::type_name("decision_round"), x.context, x.decision,
           x.evidence_hash);
}

/// One step of a plan as the decision log keeps it: its outcome, and its
/// routing rounds and attempts (what replay recomputes it from).
struct plan_step_record {
  engine::step_outcome outcome;
  std::vector<decision_round> rounds;
  std::vector<attempt_record> attempts;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, plan_step_record& x) {
  return f(caf::meta::type_name("plan_step_record"), x.outcome, x.rounds,
           x.attempts);
}

/// What a logged decision keeps of its prompt (`storage.prompts`).
enum class prompt_retention : std::uint8_t {
  /// The classifier's inputs: the newest user turn and the tool names (not
  /// the whole transcript: that would grow as the square of a conversation).
  full,
  /// A SHA-256 of the newest user turn instead of its text.
  hash,
  /// Nothing of the text.
  none,
};

inline constexpr std::array<std::string_view, 3> prompt_retention_names{
  "full", "hash", "none"};

[[nodiscard]] constexpr std::string_view
to_string(prompt_retention p) noexcept {
  return prompt_retention_names[static_cast<std::size_t>(p)];
}

/// The conversation as routing measured it: what replay needs when the
/// record no longer holds the transcript.
struct task_shape {
  /// task_text_bytes() of the task: text, tools, images as bytes.
  std::uint64_t text_bytes = 0;
  /// engine::used_fields() bits.
  std::uint32_t fields = 0;
  std::uint32_t messages = 0;
  std::vector<std::string> tool_names;
  /// Whether the record holds a shape (compact records do; older records
  /// hold the transcript and their shape is computed from it).
  bool recorded = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_shape& x) {
  return f(caf::meta::type_name("task_shape"), x.text_bytes, x.fields,
           x.messages, x.tool_names, x.recorded);
}

/// Everything about one decision id: the task as given, every routing round
/// (a task routes again after its fallback chain runs out or its budget was
/// refused), the experiment arm it was assigned, and how it ended. Model
/// indices refer to the registry whose hash the decisions carry; the store
/// keeps that registry too.
struct decision_record {
  std::uint64_t decision_id = 0;
  /// Wall-clock time of admission, ms since the Unix epoch; retention runs
  /// on it.
  std::int64_t created_unix_ms = 0;
  /// True for execute, false for a route-only request.
  bool execute = false;
  task_spec task;
  std::vector<decision_round> rounds;
  /// The runtime's seed (retry jitter); routing itself draws no randomness.
  std::uint64_t seed = 0;
  /// The A/B test that chose this task's model, if any.
  std::string experiment;
  std::uint32_t experiment_arm = 0;
  // -- how it ended (execute) -------------------------------------------------
  error_code error = error_code::none;
  std::string error_message;
  bool answered = false;
  std::uint16_t answered_by = 0;
  std::uint32_t input_tokens = 0;
  std::uint32_t output_tokens = 0;
  std::int64_t cost_nanos = 0;
  double latency_ms = 0.0;
  bool parallel = false;
  std::vector<attempt_record> attempts;
  // -- what the record keeps (compact encoding) -------------------------------
  prompt_retention prompts = prompt_retention::full;
  /// With `prompts: hash`: hex SHA-256 of the newest user turn.
  std::string prompt_sha256;
  task_shape shape;
  /// False when each round's evidence (candidates, filtered models, the
  /// derived quality, budget and latency bounds) was not stored and has not
  /// been recomputed: see actors::restore_evidence.
  bool evidence_stored = true;
  /// True once restore_evidence recomputed it from the stored inputs.
  bool evidence_recomputed = false;
  // -- the plan (a task that ran more than one call) --------------------------
  engine::plan_kind plan = engine::plan_kind::single;
  /// Empty for a single call; else every step (`rounds` is then the task's
  /// own first routing, which chose the plan).
  std::vector<plan_step_record> steps;
  /// Roles the budget dropped before the plan started.
  std::vector<std::string> plan_dropped;
  // -- the trace (docs/telemetry.md) ------------------------------------------
  /// The W3C trace id of the task's trace (its spans, the access log line),
  /// the 16 bytes in the order their hex is written; all zeros when the
  /// task was not traced.
  std::array<std::uint8_t, 16> trace_id{};

  [[nodiscard]] bool traced() const noexcept {
    for (auto b : trace_id)
      if (b != 0)
        return true;
    return false;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, decision_record& x) {
  return f(caf::meta::type_name("decision_record"), x.decision_id,
           x.created_unix_ms, x.execute, x.task, x.rounds, x.seed,
           x.experiment, x.experiment_arm, x.error, x.error_message,
           x.answered, x.answered_by, x.input_tokens, x.output_tokens,
           x.cost_nanos, x.latency_ms, x.parallel, x.attempts, x.prompts,
           x.prompt_sha256, x.shape, x.evidence_stored, x.evidence_recomputed,
           x.plan, x.steps, x.plan_dropped, x.trace_id);
}

// -- feedback -----------------------------------------------------------------

/// Feedback as received, with the cell it was applied to (empty `model` when
/// its decision was unknown to learning).
struct feedback_record {
  std::uint64_t decision_id = 0;
  std::int64_t received_unix_ms = 0;
  engine::feedback_report report;
  std::string model;
  engine::task_type type = engine::task_type::general;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feedback_record& x) {
  return f(caf::meta::type_name("feedback_record"), x.decision_id,
           x.received_unix_ms, x.report, x.model, x.type);
}

// -- budgets ------------------------------------------------------------------

/// Settled spend of one budget scope on one UTC day (days since the Unix
/// epoch). Scopes: "global", or "key:" + an API key id. Values are absolute
/// totals, so writing one twice is harmless.
struct ledger_entry {
  std::string scope;
  std::int64_t day = 0;
  std::int64_t spent_nanos = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ledger_entry& x) {
  return f(caf::meta::type_name("ledger_entry"), x.scope, x.day,
           x.spent_nanos);
}

// -- experiments --------------------------------------------------------------

/// An A/B test and what it has observed: one tally per arm.
struct experiment_state {
  engine::experiment_spec spec;
  bool running = true;
  std::int64_t started_unix_s = 0;
  std::int64_t stopped_unix_s = 0;
  std::vector<engine::sample_tally> arms;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, experiment_state& x) {
  return f(caf::meta::type_name("experiment_state"), x.spec, x.running,
           x.started_unix_s, x.stopped_unix_s, x.arms);
}

/// An experiment with its statistical verdict.
struct experiment_report {
  experiment_state state;
  engine::experiment_result result;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, experiment_report& x) {
  return f(caf::meta::type_name("experiment_report"), x.state, x.result);
}

/// The answer to starting, stopping or listing experiments.
struct experiment_reply {
  error_code error = error_code::none;
  std::string error_message;
  std::vector<experiment_report> experiments;

  [[nodiscard]] bool ok() const noexcept {
    return error == error_code::none;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, experiment_reply& x) {
  return f(caf::meta::type_name("experiment_reply"), x.error, x.error_message,
           x.experiments);
}

/// A running experiment's assignment of one task, for learning.
struct experiment_assignment {
  std::uint64_t decision_id = 0;
  std::string experiment;
  std::uint32_t arm = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, experiment_assignment& x) {
  return f(caf::meta::type_name("experiment_assignment"), x.decision_id,
           x.experiment, x.arm);
}

} // namespace switchyard

namespace switchyard::storage {
class store;
} // namespace switchyard::storage

namespace switchyard {

/// Blocking work to run on the storage actor's own thread (reads for
/// explain and analytics), never on a scheduler thread. In-process only.
struct storage_job {
  std::function<void(storage::store&)> run;
};

using storage_job_ptr = std::shared_ptr<storage_job>;

/// The success predictor's learned state (success_predictor::save), for the
/// store's meta column.
struct predictor_bytes {
  std::string bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, predictor_bytes& x) {
  return f(caf::meta::type_name("predictor_bytes"), x.bytes);
}

/// The prompt model's history (engine::prompt_history::save) on its way to
/// the store.
struct prompt_history_bytes {
  std::string bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f,
                                        prompt_history_bytes& x) {
  return f(caf::meta::type_name("prompt_history_bytes"), x.bytes);
}

} // namespace switchyard

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(switchyard::storage_job_ptr)
