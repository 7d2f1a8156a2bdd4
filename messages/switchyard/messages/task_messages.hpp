#pragma once

#include "switchyard/engine/attempt_record.hpp"
#include "switchyard/engine/decision.hpp"
#include "switchyard/engine/learning.hpp"
#include "switchyard/engine/provider_call.hpp"
#include "switchyard/engine/route_context.hpp"
#include "switchyard/engine/router.hpp"
#include "switchyard/messages/engine_inspect.hpp"
#include "switchyard/messages/error_code.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard {

// -- tasks ---------------------------------------------------------------------

/// A task as a caller states it. Every optional hint the caller leaves out is
/// inferred by the router.
struct task_spec {
  /// The task in words: what the classifier reads. With `messages`, the
  /// newest user turn's text (see engine::newest_user_text).
  std::string text;
  /// The full conversation to send; empty means one user message of `text`.
  std::vector<engine::chat_message> messages;
  /// Tools, tool_choice, response_format, seed and the other options.
  engine::request_options options;
  /// The registry id of the model that made the conversation's tool calls:
  /// the task stays on it unless it fails (ids and signatures are
  /// provider-specific). Empty when the conversation has none or the caller
  /// lets the router move it.
  std::string sticky_model;
  std::optional<engine::task_type> type;
  std::optional<engine::complexity_tier> tier;
  std::optional<int> complexity_score;
  std::optional<double> budget_usd;
  std::optional<double> min_quality;
  std::optional<double> max_latency_s;
  std::uint32_t context_tokens = 0;
  std::optional<std::uint32_t> max_output_tokens;
  engine::capability_set required;
  bool parallel = false;
  std::optional<engine::consensus_strategy> strategy;
  std::string force_model;
  /// The budget scope (an API key's id); empty for none.
  std::string budget_key;
  std::optional<double> temperature;
  std::vector<std::string> stop;
  /// The caller's execution plan, over the tier's (engine::build_plan).
  std::optional<engine::plan_kind> plan;
  /// A streamed request accepts that its first byte waits for quality
  /// escalation's judge (`switchyard.escalate: buffered`).
  bool escalate_buffered = false;
  /// A step of an execution plan: routed to one model, never to an
  /// ensemble (the plan is its own ensemble); `parallel` is not read.
  bool plan_step = false;
  /// Set by a caller that may abandon the task (the gateway, when its
  /// client disconnects): every call the task makes carries it, so that
  /// cancelling it aborts them. In-process only: not serialised, not
  /// logged.
  std::shared_ptr<engine::cancel_token> cancel;
  /// The trace the task belongs to (telemetry::trace_parent, declared with
  /// engine::call_request): the gateway's server span, whose tracer records
  /// the task's spans; every call the task makes carries it. Null: not
  /// traced. In-process only: not serialised, not logged.
  std::shared_ptr<const telemetry::trace_parent> trace;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_spec& x) {
  optional_field type{x.type};
  optional_field tier{x.tier};
  optional_field score{x.complexity_score};
  optional_field budget{x.budget_usd};
  optional_field quality{x.min_quality};
  optional_field latency{x.max_latency_s};
  optional_field max_out{x.max_output_tokens};
  optional_field strategy{x.strategy};
  optional_field temperature{x.temperature};
  optional_field plan{x.plan};
  return f(caf::meta::type_name("task_spec"), x.text, x.messages, x.options,
           x.sticky_model, type, tier,
           score, budget, quality, latency, x.context_tokens, max_out,
           x.required, x.parallel, strategy, x.force_model, x.budget_key,
           temperature, x.stop, plan, x.escalate_buffered, x.plan_step);
}

/// The router's view of a task, pointing into `spec` (which must outlive it).
[[nodiscard]] inline engine::route_request
to_route_request(const task_spec& spec) noexcept {
  engine::route_request r;
  r.text = spec.text;
  r.type = spec.type;
  r.tier = spec.tier;
  r.complexity_score = spec.complexity_score;
  r.budget_usd = spec.budget_usd;
  r.min_quality = spec.min_quality;
  r.max_latency_s = spec.max_latency_s;
  r.context_tokens = spec.context_tokens;
  r.max_output_tokens = spec.max_output_tokens;
  r.required = spec.required;
  r.parallel = spec.parallel;
  r.plan_step = spec.plan_step;
  r.strategy = spec.strategy;
  r.force_model = spec.force_model;
  return r;
}

using route_context = engine::route_context;

/// The answer to a route request.
struct route_reply {
  std::uint64_t decision_id = 0;
  engine::decision decision;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, route_reply& x) {
  return f(caf::meta::type_name("route_reply"), x.decision_id, x.decision);
}

/// A routing decision, or why there is none.
struct route_result {
  error_code error = error_code::none;
  std::string error_message;
  std::uint64_t decision_id = 0;
  engine::decision decision;
  /// The plan the task would run, each step with the model it routes to.
  engine::plan_kind plan = engine::plan_kind::single;
  std::vector<engine::step_outcome> steps;
  /// Roles the budget dropped from the plan.
  std::vector<std::string> plan_dropped;

  [[nodiscard]] bool ok() const noexcept {
    return error == error_code::none;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, route_result& x) {
  return f(caf::meta::type_name("route_result"), x.error, x.error_message,
           x.decision_id, x.decision, x.plan, x.steps, x.plan_dropped);
}

using attempt_record = engine::attempt_record;

/// The one answer (or one error) every executed task gets.
struct task_reply {
  std::uint64_t decision_id = 0;
  /// `none` on success.
  error_code error = error_code::none;
  /// What went wrong, for the caller: names the cause, never a secret.
  std::string error_message;
  /// The model whose answer this is (the ensemble's winner when parallel).
  std::uint16_t model = 0;
  std::string text;
  /// Reasoning and tool-call parts, in the order the model wrote them.
  std::vector<engine::content_part> content;
  std::string finish_reason;
  std::uint32_t input_tokens = 0;
  std::uint32_t output_tokens = 0;
  /// Everything the task spent: every attempt and ensemble member.
  std::int64_t cost_nanos = 0;
  double latency_ms = 0.0;
  bool parallel = false;
  std::vector<attempt_record> attempts;
  engine::decision decision;
  /// The plan the task ran, and its steps (one `answer` step for single).
  engine::plan_kind plan = engine::plan_kind::single;
  std::vector<engine::step_outcome> steps;

  [[nodiscard]] bool ok() const noexcept {
    return error == error_code::none;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_reply& x) {
  return f(caf::meta::type_name("task_reply"), x.decision_id, x.error,
           x.error_message, x.model, x.text, x.content, x.finish_reason,
           x.input_tokens,
           x.output_tokens, x.cost_nanos, x.latency_ms, x.parallel, x.attempts,
           x.decision, x.plan, x.steps);
}

// -- calls -----------------------------------------------------------------------

/// A call for an executor, tagged with a process-unique id so that the
/// caller can cancel it.
/// One piece of a streamed answer on its way to the caller.
struct stream_event {
  std::uint64_t decision_id = 0;
  /// The registry id of the model writing.
  std::string_view model;
  const engine::stream_chunk& chunk;
  /// The task's plan: a plan's final step streams.
  engine::plan_kind plan = engine::plan_kind::single;
};

/// Where a streamed call's chunks go, straight from the provider client's
/// I/O thread (no actor hop per chunk). In-process only: never serialised.
struct stream_sink {
  std::uint64_t decision_id = 0;
  std::string model;
  std::function<void(const stream_event&)> on_event;
  /// Output tokens after which the stream is cut (the budget reservation);
  /// 0 for no cap.
  std::uint32_t max_output_tokens = 0;
  /// Set by the first chunk: after it, a failure cannot fall back (the
  /// caller has text already) and a retry would repeat it.
  std::atomic<bool> started{false};
  std::atomic<bool> cut{false};
  std::atomic<std::uint64_t> output_bytes{0};
};

struct call_order {
  std::uint64_t call_id = 0;
  engine::call_request request;
  /// Set for a streamed call.
  std::shared_ptr<stream_sink> sink;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, call_order& x) {
  return f(caf::meta::type_name("call_order"), x.call_id, x.request);
}

// -- learning --------------------------------------------------------------------

/// A finished call, for learning.
struct outcome_report {
  std::uint64_t decision_id = 0;
  std::uint16_t model = 0;
  engine::task_type type = engine::task_type::general;
  bool success = false;
  double latency_ms = 0.0;
  std::int64_t cost_nanos = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outcome_report& x) {
  return f(caf::meta::type_name("outcome_report"), x.decision_id, x.model,
           x.type, x.success, x.latency_ms, x.cost_nanos);
}

/// What a caller reports about a decision's answer.
struct feedback_message {
  std::uint64_t decision_id = 0;
  engine::feedback_report report;
  /// The client key giving it: only the key that made a decision may give
  /// feedback on it. Empty: any decision (the admin key, no auth, or an
  /// embedding program).
  std::string key_id;
};

/// Who owns a decision, as learning remembers it: FNV-1a of the key id
/// that made it, 0 for none (no auth, or an embedding program). Only
/// compared within one process, never stored.
[[nodiscard]] inline std::uint64_t
decision_owner(std::string_view key_id) noexcept {
  if (key_id.empty())
    return 0;
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : key_id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h == 0 ? 1 : h;
}

/// The answer to feedback: `none` once stored (or, without a store,
/// applied); `not_found` for an unknown decision or another key's (the same
/// answer, so that ids reveal nothing); `storage_failure` when the store
/// could not take it.
struct feedback_ack {
  error_code result = error_code::none;
  /// False from a cluster asked to forward feedback on a decision that is
  /// no other node's: the asking node answers it itself.
  bool handled = true;
};

} // namespace switchyard

namespace switchyard::engine {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, route_context& x) {
  optional_field remaining{x.budget_remaining};
  return f(caf::meta::type_name("route_context"), x.exclude, x.local_failures,
           remaining, x.force_model);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attempt_record& x) {
  return f(caf::meta::type_name("attempt_record"), x.model, x.error,
           x.latency_ms, x.cost_nanos, x.retries);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feedback_report& x) {
  optional_field quality{x.quality};
  optional_field merged{x.pr_merged};
  optional_field reverted{x.pr_reverted};
  optional_field rating{x.rating};
  return f(caf::meta::type_name("feedback_report"), x.outcome, quality, merged,
           reverted, rating);
}

} // namespace switchyard::engine

namespace switchyard {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feedback_message& x) {
  return f(caf::meta::type_name("feedback_message"), x.decision_id, x.report,
           x.key_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feedback_ack& x) {
  return f(caf::meta::type_name("feedback_ack"), x.result, x.handled);
}

/// A commutative learning update: time-decayed counts, decayed to `as_of_s`,
/// that merge by addition whatever order they arrive in.
struct learned_delta {
  std::uint16_t model = 0;
  engine::task_type type = engine::task_type::general;
  double calls = 0.0;
  double successes = 0.0;
  double feedback_count = 0.0;
  double feedback_sum = 0.0;
  double latency_ms_sum = 0.0;
  double as_of_s = 0.0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, learned_delta& x) {
  return f(caf::meta::type_name("learned_delta"), x.model, x.type, x.calls,
           x.successes, x.feedback_count, x.feedback_sum, x.latency_ms_sum,
           x.as_of_s);
}

// -- breakers --------------------------------------------------------------------

enum class breaker_phase : std::uint8_t { closed, open, half_open };

/// A provider breaker's new state, published to the scorer (and, later, to
/// peers).
struct breaker_change {
  std::uint16_t provider = 0;
  breaker_phase phase = breaker_phase::closed;
  /// Until when an open breaker refuses calls, in ns on the sender's clock.
  std::int64_t reopens_at_ns = 0;
  /// How many times this breaker has opened since the node started.
  std::uint32_t trips = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, breaker_change& x) {
  return f(caf::meta::type_name("breaker_change"), x.provider, x.phase,
           x.reopens_at_ns, x.trips);
}

// -- availability ----------------------------------------------------------------

/// What can answer now, per provider and per model (engine::unavailability
/// codes, 0 = available), pushed to the scorer when it changes.
struct availability_update {
  std::vector<std::uint8_t> providers;
  std::vector<std::uint8_t> models;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, availability_update& x) {
  return f(caf::meta::type_name("availability_update"), x.providers,
           x.models);
}

// -- budgets ---------------------------------------------------------------------

/// Asks to reserve a worst-case cost in every scope of a task: its key's
/// budget, the day's and the global one.
struct budget_request {
  std::string key;
  std::int64_t amount_nanos = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, budget_request& x) {
  return f(caf::meta::type_name("budget_request"), x.key, x.amount_nanos);
}

/// A reservation (ids to settle later), or a refusal with what is left.
struct budget_grant {
  bool granted = false;
  std::vector<std::uint64_t> reservation_ids;
  std::int64_t remaining_nanos = 0;
  std::string scope_exhausted;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, budget_grant& x) {
  return f(caf::meta::type_name("budget_grant"), x.granted, x.reservation_ids,
           x.remaining_nanos, x.scope_exhausted);
}

/// Turns a grant into spending (or releases it when `release`).
struct budget_settlement {
  std::string key;
  std::vector<std::uint64_t> reservation_ids;
  std::int64_t actual_nanos = 0;
  bool release = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, budget_settlement& x) {
  return f(caf::meta::type_name("budget_settlement"), x.key,
           x.reservation_ids, x.actual_nanos, x.release);
}

/// One budget scope's state. A cap of -1 means no cap.
struct budget_status {
  std::int64_t spent_nanos = 0;
  std::int64_t reserved_nanos = 0;
  std::int64_t cap_nanos = -1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, budget_status& x) {
  return f(caf::meta::type_name("budget_status"), x.spent_nanos,
           x.reserved_nanos, x.cap_nanos);
}

/// A key's budget: its own cap (from the key), else the policy's per-key cap.
struct key_budget_status {
  std::string key;
  budget_status budget;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, key_budget_status& x) {
  return f(caf::meta::type_name("key_budget_status"), x.key, x.budget);
}

/// Spend and reservations across every budget. `spent_nanos`,
/// `reserved_nanos` are the global scope's (all days).
struct ledger_summary {
  std::int64_t spent_nanos = 0;
  std::int64_t reserved_nanos = 0;
  std::uint64_t open_reservations = 0;
  std::uint64_t refusals = 0;
  budget_status global;
  /// Today (UTC).
  budget_status daily;
  /// Keys that spent, reserved or have a cap, sorted by key.
  std::vector<key_budget_status> keys;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ledger_summary& x) {
  return f(caf::meta::type_name("ledger_summary"), x.spent_nanos,
           x.reserved_nanos, x.open_reservations, x.refusals, x.global,
           x.daily, x.keys);
}

// -- ensembles -------------------------------------------------------------------

/// What the judge actor answers for an ensemble.
struct ensemble_reply {
  bool ok = false;
  std::string error_message;
  std::uint16_t winner = 0;
  engine::call_result answer;
  std::vector<attempt_record> members;
  std::int64_t cost_nanos = 0;
  /// The consensus could not use the judge's verdict.
  bool judge_fallback = false;
  /// Members the ensemble proceeded without (a quorum answered or its
  /// deadline passed): cancelled, and `cancelled` in `members`.
  std::vector<std::uint16_t> cut;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ensemble_reply& x) {
  return f(caf::meta::type_name("ensemble_reply"), x.ok, x.error_message,
           x.winner, x.answer, x.members, x.cost_nanos, x.judge_fallback,
           x.cut);
}

} // namespace switchyard
