#include "switchyard/storage/record_codec.hpp"

#include "switchyard/engine/decision_diff.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/storage/byte_reader.hpp"
#include "switchyard/storage/byte_writer.hpp"
#include "switchyard/storage/field_list.hpp"
#include "switchyard/storage/field_reader.hpp"
#include "switchyard/storage/field_writer.hpp"

#include <array>
#include <chrono>
#include <cmath>

namespace switchyard::storage {

// -- keys ---------------------------------------------------------------------

namespace {

void append_big_endian(std::string& out, std::uint64_t v) {
  byte_writer{out}.big_endian64(v);
}

/// Days may be negative in principle; the offset keeps them sorting in order
/// as unsigned big-endian numbers.
constexpr std::uint64_t day_offset = 1ull << 63;

} // namespace

std::string decision_key(std::uint64_t decision_id) {
  std::string k;
  append_big_endian(k, decision_id);
  return k;
}

std::optional<std::uint64_t> decision_id_of_key(std::string_view key) {
  if (key.size() != 8)
    return std::nullopt;
  byte_reader r{key};
  return r.big_endian64();
}

std::string feedback_key(std::uint64_t decision_id, std::uint64_t sequence) {
  std::string k;
  append_big_endian(k, decision_id);
  append_big_endian(k, sequence);
  return k;
}

std::string feedback_prefix(std::uint64_t decision_id) {
  return decision_key(decision_id);
}

std::string learned_key(std::string_view model, engine::task_type type) {
  std::string k{model};
  k.push_back('\0');
  k.append(to_string(type));
  return k;
}

std::string ledger_key(std::string_view scope, std::int64_t day) {
  std::string k{scope};
  k.push_back('\0');
  append_big_endian(k, static_cast<std::uint64_t>(day) + day_offset);
  return k;
}

std::string registry_key(std::uint64_t config_hash) {
  std::string k = "registry/";
  append_big_endian(k, config_hash);
  return k;
}

std::string api_key_id_key(std::string_view id) {
  return "id/" + std::string{id};
}

std::string api_key_hash_key(const std::array<std::uint8_t, 32>& h) {
  std::string k = "sha256/";
  k.append(reinterpret_cast<const char*>(h.data()), h.size());
  return k;
}

// -- field lists --------------------------------------------------------------
//
// One list per stored shape, in the order of its bytes (field_list.hpp):
// field_writer visits it to encode, field_reader to decode.

namespace {

/// Decision records' first encoding; decision_encoding_version is the
/// current one.
constexpr std::uint8_t decision_encoding_v1 = 1;

/// The `inputs` column's values: this version, when they were written (8
/// bytes, big-endian), then shared_fields.
constexpr std::uint8_t shared_inputs_version = 1;

/// error_code has no names array; its last value bounds the range.
constexpr std::size_t error_code_count
  = static_cast<std::size_t>(error_code::overloaded) + 1;

template <class F, class List>
void u16_list(F& f, List& xs) {
  f.list(xs, 1, [&](auto& x) { f.varint(x); });
}

template <class F, class Optional>
void optional_f64(F& f, Optional& x) {
  f.optional(x, [&](auto& v) { f.f64(v); });
}

template <class F, class Optional>
void optional_boolean(F& f, Optional& x) {
  f.optional(x, [&](auto& v) { f.boolean(v); });
}

template <class F, class Optional>
void optional_varint(F& f, Optional& x) {
  f.optional(x, [&](auto& v) { f.varint(v); });
}

template <class F, class Optional>
void optional_zigzag(F& f, Optional& x) {
  f.optional(x, [&](auto& v) { f.zigzag(v); });
}

template <class F, visited<engine::capability_set> T>
void fields(F& f, T& c) {
  auto bits = c.bits();
  f.u8(bits);
  if constexpr (F::reads)
    c = engine::capability_set{bits};
}

template <class F, visited<std::chrono::milliseconds> T>
void fields(F& f, T& ms) {
  auto count = ms.count();
  f.zigzag(count);
  if constexpr (F::reads)
    ms = std::chrono::milliseconds{count};
}

// -- conversations ------------------------------------------------------------

template <class F, visited<engine::content_part> T>
void fields(F& f, T& p, int depth = 0) {
  f.enumeration(p.kind, std::size(engine::part_kind_names));
  f.string(p.text);
  f.string(p.url);
  f.string(p.media_type);
  f.string(p.data);
  f.string(p.detail);
  f.string(p.id);
  f.string(p.name);
  f.string(p.arguments);
  f.list(p.content, 10, [&](auto& c) {
    // A tool result holds parts, which hold none: anything deeper is
    // corrupt, and is not read (a damaged value must not recurse).
    f.expect(depth == 0);
    if (f.ok())
      fields(f, c, depth + 1);
  });
  f.boolean(p.is_error);
  f.string(p.signature);
  f.boolean(p.redacted);
  f.string(p.cache_control);
}

template <class F, visited<engine::chat_message> T>
void fields(F& f, T& m) {
  f.enumeration(m.role, std::size(engine::message_role_names));
  f.string(m.name);
  f.list(m.parts, 10, [&](auto& p) { fields(f, p); });
}

template <class F, visited<engine::tool_definition> T>
void fields(F& f, T& t) {
  f.string(t.name);
  f.string(t.description);
  f.string(t.parameters);
  optional_boolean(f, t.strict);
  f.string(t.cache_control);
}

template <class F, visited<engine::tool_choice> T>
void fields(F& f, T& c) {
  f.enumeration(c.mode, std::size(engine::tool_choice_mode_names));
  f.string(c.name);
}

template <class F, visited<engine::response_format> T>
void fields(F& f, T& r) {
  f.enumeration(r.kind, std::size(engine::response_format_kind_names));
  f.string(r.name);
  f.string(r.schema);
  optional_boolean(f, r.strict);
  f.string(r.description);
}

template <class F, visited<engine::request_options> T>
void fields(F& f, T& o) {
  f.list(o.tools, 4, [&](auto& t) { fields(f, t); });
  fields(f, o.choice);
  optional_boolean(f, o.parallel_tool_calls);
  fields(f, o.format);
  optional_zigzag(f, o.seed);
  optional_f64(f, o.top_p);
  optional_varint(f, o.top_k);
  optional_boolean(f, o.logprobs);
  optional_varint(f, o.top_logprobs);
  f.string(o.reasoning_effort);
  optional_varint(f, o.thinking_budget);
  f.string(o.user);
  f.string(o.system_cache_control);
}

/// The conversation: a section appended to version 1 decision records
/// (records written before it hold their messages as role and text in the
/// task).
template <class F, visited<task_spec> T>
void conversation_fields(F& f, T& t) {
  f.list(t.messages, 3, [&](auto& m) { fields(f, m); });
  fields(f, t.options);
  f.string(t.sticky_model);
}

/// A message as records written before the conversation section held it.
struct role_and_text {
  std::string role;
  std::string text;
};

/// The task without its conversation (conversation_fields).
template <class F, visited<task_spec> T>
void fields(F& f, T& t) {
  f.string(t.text);
  // Where records written before the conversation section held their
  // messages; this build writes none here.
  std::vector<role_and_text> old_messages;
  f.list(old_messages, 2, [&](auto& m) {
    f.string(m.role);
    f.string(m.text);
  });
  if constexpr (F::reads)
    for (auto& m : old_messages)
      t.messages.push_back(engine::chat_message::make(
        engine::parse_message_role(m.role).value_or(engine::message_role::user),
        std::move(m.text)));
  f.optional(t.type,
             [&](auto& v) { f.enumeration(v, engine::task_type_count); });
  f.optional(t.tier,
             [&](auto& v) { f.enumeration(v, engine::complexity_tier_count); });
  optional_zigzag(f, t.complexity_score);
  optional_f64(f, t.budget_usd);
  optional_f64(f, t.min_quality);
  optional_f64(f, t.max_latency_s);
  f.varint(t.context_tokens);
  optional_varint(f, t.max_output_tokens);
  fields(f, t.required);
  f.boolean(t.parallel);
  f.optional(t.strategy, [&](auto& v) {
    f.enumeration(v, engine::consensus_strategy_names.size());
  });
  f.string(t.force_model);
  f.string(t.budget_key);
  optional_f64(f, t.temperature);
  f.list(t.stop, 1, [&](auto& s) { f.string(s); });
}

/// What replay needs of a conversation when a record no longer holds it.
template <class F, visited<task_shape> T>
void fields(F& f, T& s) {
  f.varint(s.text_bytes);
  f.varint(s.fields);
  f.varint(s.messages);
  f.list(s.tool_names, 1, [&](auto& n) { f.string(n); });
  if constexpr (F::reads)
    s.recorded = true;
}

// -- routing rounds -----------------------------------------------------------

template <class F, visited<route_context> T>
void fields(F& f, T& c) {
  u16_list(f, c.exclude);
  f.varint(c.local_failures);
  optional_zigzag(f, c.budget_remaining);
  f.string(c.force_model);
}

template <class F, visited<engine::classification> T>
void fields(F& f, T& c) {
  f.enumeration(c.tier, engine::complexity_tier_count);
  f.zigzag(c.score);
  f.enumeration(c.type, engine::task_type_count);
  f.boolean(c.tier_given);
  f.boolean(c.type_given);
  f.u8(c.matched_count);
  f.expect(c.matched_count <= c.matched.size());
  for (std::size_t i = 0; i < c.matched_count && i < c.matched.size(); ++i)
    f.varint(c.matched[i]);
  f.varint(c.word_count);
}

template <class F, visited<engine::cost_range> T>
void fields(F& f, T& c) {
  f.zigzag(c.min);
  f.zigzag(c.expected);
  f.zigzag(c.max);
}

template <class F, visited<engine::model_performance> T>
void fields(F& f, T& p) {
  f.f64(p.success);
  f.f64(p.latency_ms);
  f.f64(p.feedback_weight);
  f.f64(p.samples);
  f.f64(p.confidence);
}

/// A per-prompt estimate as rounds keep it; its learned cost travels in
/// the prompt model's section (prompt_model_fields).
template <class F, visited<engine::success_estimate> T>
void fields(F& f, T& e) {
  f.f64(e.probability);
  f.f64(e.weight);
}

template <class F, visited<engine::factor_points> T>
void fields(F& f, T& p) {
  f.f64(p.quality);
  f.f64(p.cost);
  f.f64(p.history);
  f.f64(p.learned);
  f.f64(p.preference);
  f.f64(p.diversity);
  f.f64(p.vendor);
}

template <class F, visited<engine::candidate> T>
void fields(F& f, T& c) {
  f.varint(c.model);
  fields(f, c.points);
  f.f64(c.total);
  f.f64(c.predicted_quality);
  f.boolean(c.capable);
  fields(f, c.cost);
  f.f64(c.latency_s);
}

template <class F, visited<engine::filtered_model> T>
void fields(F& f, T& m) {
  f.varint(m.model);
  f.enumeration(m.reason, engine::filter_reason_names.size());
  f.f64(m.value);
  f.f64(m.limit);
  fields(f, m.missing);
}

template <class F, visited<engine::ensemble_plan> T>
void fields(F& f, T& e) {
  u16_list(f, e.members);
  f.boolean(e.has_judge);
  f.varint(e.judge);
  f.enumeration(e.strategy, engine::consensus_strategy_names.size());
  f.zigzag(e.max_cost);
}

/// What a round had to meet: both decision encodings open with it.
template <class F, visited<engine::decision> T>
void requirement_fields(F& f, T& d) {
  fields(f, d.cls);
  f.varint(d.tokens.input);
  f.varint(d.tokens.output);
  f.f64(d.quality_required);
  f.zigzag(d.budget_cap);
  f.f64(d.latency_bound_s);
}

/// What a round chose: its rule, notes, model, fallbacks and ensemble.
template <class F, visited<engine::decision> T>
void choice_fields(F& f, T& d) {
  f.enumeration(d.rule, engine::selection_rule_names.size());
  f.varint(d.notes);
  f.varint(d.model);
  u16_list(f, d.fallbacks);
  f.boolean(d.parallel);
  fields(f, d.ensemble);
}

/// A round's decision with its evidence and inputs (version 1); the
/// inputs' availability is an appended section of the record.
template <class F, visited<engine::decision> T>
void fields(F& f, T& d) {
  requirement_fields(f, d);
  choice_fields(f, d);
  f.list(d.candidates, 60, [&](auto& c) { fields(f, c); });
  f.list(d.filtered_out, 19, [&](auto& m) { fields(f, m); });
  f.varint(d.config_hash);
  auto& in = d.inputs;
  f.boolean(in.recorded);
  f.list(in.performance, 40, [&](auto& p) { fields(f, p); });
  f.list(in.breaker_open, 1, [&](auto& b) { f.u8(b); });
  optional_zigzag(f, in.budget_remaining);
  f.list(in.provider_share, 8, [&](auto& s) { f.f64(s); });
  f.list(in.predicted_success, 16, [&](auto& e) { fields(f, e); });
}

/// The part of a round's inputs that many decisions share, stored once per
/// distinct content in the `inputs` column (version 2).
template <class F, visited<engine::routing_inputs> T>
void shared_fields(F& f, T& in) {
  f.list(in.performance, 40, [&](auto& p) { fields(f, p); });
  f.bytes(in.breaker_open);
  f.list(in.provider_share, 8, [&](auto& s) { f.f64(s); });
  f.bytes(in.provider_unavailable);
  f.bytes(in.model_unavailable);
}

/// A round without its evidence (version 2): the evidence's digest, and
/// the shared inputs by hash.
template <class F, visited<decision_round> T, class Hash>
void compact_fields(F& f, T& round, Hash& inputs_hash) {
  auto& d = round.decision;
  fields(f, round.context);
  requirement_fields(f, d);
  // The evidence itself is recomputed on demand; its digest says whether
  // it came out the same.
  if constexpr (F::reads)
    f.big_endian64(round.evidence_hash);
  else
    f.big_endian64(engine::evidence_hash(d));
  choice_fields(f, d);
  f.varint(d.config_hash);
  auto& in = d.inputs;
  f.boolean(in.recorded);
  if (!in.recorded)
    return;
  f.big_endian64(inputs_hash);
  optional_zigzag(f, in.budget_remaining);
  f.list(in.predicted_success, 16, [&](auto& e) { fields(f, e); });
}

template <class F, visited<attempt_record> T>
void fields(F& f, T& a) {
  f.varint(a.model);
  f.enumeration(a.error, engine::call_error_names.size());
  f.f64(a.latency_ms);
  f.zigzag(a.cost_nanos);
}

// -- decision records ---------------------------------------------------------

// What a run did, in the order both decision encodings write it: the
// experiment and the error first, then the answer's usage (version 1 puts
// `answered` between the two), then the attempts.

template <class F, visited<decision_record> T>
void run_head_fields(F& f, T& rec) {
  f.varint(rec.seed);
  f.string(rec.experiment);
  f.varint(rec.experiment_arm);
  f.enumeration(rec.error, error_code_count);
  f.string(rec.error_message);
}

template <class F, visited<decision_record> T>
void usage_fields(F& f, T& rec) {
  f.varint(rec.answered_by);
  f.varint(rec.input_tokens);
  f.varint(rec.output_tokens);
  f.zigzag(rec.cost_nanos);
  f.f64(rec.latency_ms);
}

template <class F, visited<decision_record> T>
void attempts_fields(F& f, T& rec) {
  f.list(rec.attempts, 11, [&](auto& a) { fields(f, a); });
}

bool hedged(const decision_round& round) {
  return round.decision.ensemble.deadline_ms != 0;
}

/// Whether any round's ensemble was hedged (a deadline): only then does a
/// version 2 record carry hedging_fields.
bool hedged(const decision_record& rec) {
  for (const auto& round : rec.rounds)
    if (hedged(round))
      return true;
  return false;
}

/// How a round's ensemble was hedged: its quorum and deadline (0 for a
/// round without an ensemble).
template <class F, visited<decision_round> T>
void round_hedging_fields(F& f, T& round) {
  f.u8(round.decision.ensemble.quorum);
  f.varint(round.decision.ensemble.deadline_ms);
}

/// Per round, round_hedging_fields. Appended to both decision encodings; a
/// record without it reads back with no deadline.
template <class F, visited<decision_record> T>
void hedging_fields(F& f, T& rec) {
  std::uint8_t version = 1; // the section's own
  f.u8(version);
  f.expect(version == 1);
  for (auto& round : rec.rounds)
    round_hedging_fields(f, round);
}

// -- execution plans ----------------------------------------------------------

/// plan_kind has no names array; critic is its last value.
constexpr std::size_t plan_kind_count
  = static_cast<std::size_t>(engine::plan_kind::critic) + 1;

/// Whether the task ran a plan: only then does a record carry plan_fields.
bool planned(const decision_record& rec) {
  return rec.plan != engine::plan_kind::single || !rec.steps.empty()
         || !rec.plan_dropped.empty();
}

/// A step's outcome: everything engine::step_outcome holds, its four flags
/// packed in one byte.
template <class F, visited<engine::step_outcome> T>
void fields(F& f, T& o) {
  f.string(o.role);
  f.enumeration(o.route_as, engine::complexity_tier_count);
  f.varint(o.revision);
  auto flags = static_cast<std::uint8_t>((o.ran ? 1 : 0) | (o.ok ? 2 : 0)
                                         | (o.final ? 4 : 0)
                                         | (o.has_model ? 8 : 0));
  f.u8(flags);
  f.expect(flags < 16);
  if constexpr (F::reads) {
    o.ran = (flags & 1) != 0;
    o.ok = (flags & 2) != 0;
    o.final = (flags & 4) != 0;
    o.has_model = (flags & 8) != 0;
  }
  f.varint(o.model);
  f.zigzag(o.worst_cost_nanos);
  f.zigzag(o.cost_nanos);
  f.f64(o.started_ms);
  f.f64(o.latency_ms);
  f.varint(o.input_tokens);
  f.varint(o.output_tokens);
  f.f64(o.score);
  f.enumeration(o.error, error_code_count);
  f.string(o.note);
}

/// The plan a task ran: its kind, the roles its budget dropped, and each
/// step's outcome, routing rounds and attempts: what the step read and how
/// it ended, not its prompt or answer. `each_round` writes a round in the
/// record's own form of one. Appended to both decision encodings; a record
/// without it reads back as a single call with no steps.
template <class F, visited<decision_record> T, class EachRound>
void plan_fields(F& f, T& rec, EachRound&& each_round) {
  std::uint8_t version = 1; // the section's own
  f.u8(version);
  f.expect(version == 1);
  f.enumeration(rec.plan, plan_kind_count);
  f.list(rec.plan_dropped, 1, [&](auto& role) { f.string(role); });
  f.list(rec.steps, 30, [&](auto& step) {
    fields(f, step.outcome);
    f.list(step.rounds, 40, [&](auto& round) { each_round(round); });
    f.list(step.attempts, 11, [&](auto& a) { fields(f, a); });
  });
}

/// The task's trace id (its spans and access log line carry it): the
/// section's own version, then the 16 bytes. Appended to version 2
/// records, written only for a traced task; a record without it reads back
/// untraced (all zeros).
template <class F, visited<decision_record> T>
void trace_fields(F& f, T& rec) {
  std::uint8_t version = 1; // the section's own
  f.u8(version);
  f.expect(version == 1);
  f.bytes(rec.trace_id);
}

/// Version 1: the whole task and each round's evidence and inputs.
template <class F, visited<decision_record> T>
void decision_v1_fields(F& f, T& rec) {
  // Fixed position and width: the retention filter reads only this.
  f.big_endian64(rec.created_unix_ms);
  f.varint(rec.decision_id);
  f.boolean(rec.execute);
  fields(f, rec.task);
  f.list(rec.rounds, 40, [&](auto& round) {
    fields(f, round.context);
    fields(f, round.decision);
  });
  run_head_fields(f, rec);
  f.boolean(rec.answered);
  usage_fields(f, rec);
  f.boolean(rec.parallel);
  attempts_fields(f, rec);
  // Appended after version 1 shipped: the conversation, in full, then each
  // round's provider and model availability.
  if (f.appended(true))
    conversation_fields(f, rec.task);
  if (f.appended(true))
    for (auto& round : rec.rounds) {
      f.bytes(round.decision.inputs.provider_unavailable);
      f.bytes(round.decision.inputs.model_unavailable);
    }
  // Appended after the availability section shipped.
  if (f.appended(true))
    hedging_fields(f, rec);
  // Appended after the hedging section shipped; written only for a plan.
  // A step's rounds hold what the record's rounds and the two sections
  // above hold of them.
  if (f.appended(planned(rec)))
    plan_fields(f, rec, [&](auto& round) {
      fields(f, round.context);
      fields(f, round.decision);
      f.bytes(round.decision.inputs.provider_unavailable);
      f.bytes(round.decision.inputs.model_unavailable);
      round_hedging_fields(f, round);
    });
}

bool read_prompt_model(const decision_round& round) {
  const auto& in = round.decision.inputs;
  if (in.prompt.used())
    return true;
  for (const auto& p : in.predicted_success)
    if (!std::isnan(p.cost_usd))
      return true;
  return false;
}

/// Whether any round read the prompt model: only then does a version 2
/// record carry prompt_model_fields.
bool read_prompt_model(const decision_record& rec) {
  for (const auto& round : rec.rounds)
    if (read_prompt_model(round))
      return true;
  return false;
}

/// What the prompt model gave a round: its evidence and each model's
/// learned cost (the rest of its estimates are in the round's
/// predicted_success).
template <class F, visited<decision_round> T>
void round_prompt_model_fields(F& f, T& round) {
  auto& in = round.decision.inputs;
  f.varint(in.prompt.cluster);
  f.varint(in.prompt.neighbours);
  f.f64(in.prompt.mean_similarity);
  // Written for every round, recorded or not: the reader needs no flag.
  std::size_t n = in.recorded ? in.predicted_success.size() : 0;
  f.count(n, 8);
  f.expect(n == 0 || n == in.predicted_success.size());
  for (std::size_t m = 0; m < n && f.ok(); ++m)
    f.f64(in.predicted_success[m].cost_usd);
}

/// Per round, round_prompt_model_fields. Appended to version 2 records.
template <class F, visited<decision_record> T>
void prompt_model_fields(F& f, T& rec) {
  std::uint8_t version = 1; // the section's own
  f.u8(version);
  f.expect(version == 1);
  for (auto& round : rec.rounds)
    round_prompt_model_fields(f, round);
}

/// Version 2: the inputs replay needs and the outcome. `prompts` is what
/// the task's text keeps; `inputs_hashes` holds each round's shared inputs
/// (0: none) in for_each_round() order, which the reader appends to.
template <class F, visited<decision_record> T, class Prompts, class Hashes>
void decision_v2_fields(F& f, T& rec, Prompts& prompts, Hashes& inputs_hashes) {
  // Fixed position and width: the retention filter reads only this.
  f.big_endian64(rec.created_unix_ms);
  f.varint(rec.decision_id);
  auto flags = static_cast<std::uint8_t>(
    (rec.execute ? 1 : 0) | (rec.answered ? 2 : 0) | (rec.parallel ? 4 : 0));
  f.u8(flags);
  if constexpr (F::reads) {
    rec.execute = (flags & 1) != 0;
    rec.answered = (flags & 2) != 0;
    rec.parallel = (flags & 4) != 0;
  }
  f.enumeration(prompts, prompt_retention_names.size());
  // The task without its transcript (the coordinator logs it that way);
  // its text per the retention policy.
  if constexpr (F::reads) {
    fields(f, rec.task);
    if (prompts == prompt_retention::hash) {
      rec.prompt_sha256 = std::move(rec.task.text);
      rec.task.text.clear();
    }
  } else if (prompts == prompt_retention::full && rec.task.messages.empty()) {
    fields(f, rec.task);
  } else {
    auto task = rec.task;
    task.messages.clear();
    if (prompts == prompt_retention::hash) {
      auto digest = sha256(rec.task.text);
      task.text = to_hex(digest.data(), digest.size());
    } else if (prompts == prompt_retention::none) {
      task.text.clear();
    }
    fields(f, task);
  }
  f.string(rec.task.sticky_model);
  if constexpr (F::reads) {
    fields(f, rec.shape);
  } else {
    static const task_shape unrecorded{};
    fields(f, rec.shape.recorded ? rec.shape : unrecorded);
  }
  std::size_t i = 0;
  auto compact_round = [&](auto& round) {
    std::uint64_t hash = 0;
    if constexpr (!F::reads)
      hash = i < inputs_hashes.size() ? inputs_hashes[i] : 0;
    compact_fields(f, round, hash);
    if constexpr (F::reads)
      inputs_hashes.push_back(hash);
    ++i;
  };
  f.list(rec.rounds, 40, compact_round);
  run_head_fields(f, rec);
  usage_fields(f, rec);
  attempts_fields(f, rec);
  // Sections are read by position: each is written when any later one is.
  bool traced = false;
  if constexpr (!F::reads)
    traced = rec.traced();
  bool plan = planned(rec) || traced;
  // Appended after version 2 shipped; written only when a round read the
  // prompt model, or when a later section follows it (then it holds the
  // rounds' unused prompt-model inputs, which read back the same).
  if (f.appended(read_prompt_model(rec) || hedged(rec) || plan))
    prompt_model_fields(f, rec);
  // Appended after the prompt-model section shipped; written only when a
  // round's ensemble was hedged, or when the plan section follows it.
  if (f.appended(hedged(rec) || plan))
    hedging_fields(f, rec);
  // Appended after the hedging section shipped; written only for a plan,
  // or when the trace section follows it (then it says "single, no
  // steps", which reads back the same). A step's round is compact, as the
  // record's own, with a byte that says which of the two sections above it
  // holds.
  if (f.appended(plan))
    plan_fields(f, rec, [&](auto& round) {
      compact_round(round);
      std::uint8_t sections = 0;
      if constexpr (!F::reads)
        sections = static_cast<std::uint8_t>(
          (read_prompt_model(round) ? 1 : 0) | (hedged(round) ? 2 : 0));
      f.u8(sections);
      f.expect(sections < 4);
      if ((sections & 1) != 0)
        round_prompt_model_fields(f, round);
      if ((sections & 2) != 0)
        round_hedging_fields(f, round);
    });
  // Appended after the plan section shipped; written only for a traced
  // task.
  if (f.appended(traced))
    trace_fields(f, rec);
}

// -- the other records --------------------------------------------------------

template <class F, visited<engine::ema> T>
void fields(F& f, T& e) {
  f.f64(e.value);
  f.boolean(e.initialized);
}

template <class F, visited<engine::decayed_count> T>
void fields(F& f, T& c) {
  f.f64(c.count);
  f.f64(c.as_of_s);
}

/// The cell's model and task type are its key.
template <class F, visited<engine::learned_cell> T>
void fields(F& f, T& c) {
  fields(f, c.success);
  fields(f, c.latency_ms);
  fields(f, c.cost_nanos);
  fields(f, c.feedback);
  fields(f, c.calls);
  fields(f, c.successes);
  fields(f, c.feedback_count);
}

template <class F, visited<engine::feedback_report> T>
void fields(F& f, T& r) {
  // none, success, partial, failure: the verdict has no names array.
  f.enumeration(r.outcome, 4);
  optional_f64(f, r.quality);
  optional_boolean(f, r.pr_merged);
  optional_boolean(f, r.pr_reverted);
  optional_zigzag(f, r.rating);
}

/// feedback_received_unix_ms() reads the first two fields alone.
template <class F, visited<feedback_record> T>
void fields(F& f, T& r) {
  f.varint(r.decision_id);
  f.zigzag(r.received_unix_ms);
  fields(f, r.report);
  f.string(r.model);
  f.enumeration(r.type, engine::task_type_count);
}

/// The scope and the day are the entry's key.
template <class F, visited<ledger_entry> T>
void fields(F& f, T& e) {
  f.zigzag(e.spent_nanos);
}

template <class F, visited<engine::experiment_spec> T>
void fields(F& f, T& s) {
  f.string(s.id);
  f.enumeration(s.type, engine::task_type_count);
  f.list(s.arms, 2, [&](auto& a) {
    f.string(a.name);
    f.string(a.model);
  });
  f.f64(s.traffic_share);
  f.varint(s.seed);
  f.enumeration(s.metric, engine::experiment_metric_names.size());
  f.varint(s.min_samples_per_arm);
  f.f64(s.significance);
}

template <class F, visited<experiment_state> T>
void fields(F& f, T& s) {
  fields(f, s.spec);
  f.boolean(s.running);
  f.zigzag(s.started_unix_s);
  f.zigzag(s.stopped_unix_s);
  f.list(s.arms, 17, [&](auto& t) {
    f.varint(t.n);
    f.f64(t.sum);
    f.f64(t.sum_squares);
  });
}

template <class F, visited<engine::provider_spec> T>
void fields(F& f, T& p) {
  f.string(p.id);
  f.enumeration(p.kind, engine::provider_kind_names.size());
  f.string(p.base_url);
  f.string(p.api_key_env);
  f.boolean(p.local);
  f.varint(p.max_concurrency);
}

template <class F, visited<engine::model_spec> T>
void fields(F& f, T& m) {
  f.string(m.id);
  f.string(m.provider);
  f.string(m.upstream);
  f.varint(m.provider_index);
  f.f64(m.quality);
  f.f64(m.cost_per_1k_input);
  f.f64(m.cost_per_1k_output);
  f.varint(m.context_window);
  f.f64(m.p50_latency_ms);
  f.f64(m.tokens_per_second);
  fields(f, m.capabilities);
  f.boolean(m.enabled);
  f.boolean(m.experimental);
  f.boolean(m.local);
}

template <class F, visited<engine::breaker_config> T>
void fields(F& f, T& b) {
  f.varint(b.consecutive_failures);
  f.f64(b.failure_rate);
  f.varint(b.window);
  f.varint(b.min_calls);
  fields(f, b.cooldown);
  fields(f, b.max_cooldown);
  f.varint(b.half_open_successes);
  fields(f, b.probe_timeout);
}

template <class F, visited<engine::retry_config> T>
void fields(F& f, T& r) {
  f.varint(r.max_retries);
  fields(f, r.initial_backoff);
  fields(f, r.max_backoff);
  f.f64(r.jitter);
  fields(f, r.max_retry_after);
}

/// Whether the plan policy differs from its defaults.
bool plans_configured(const engine::plan_policy& p) {
  static const engine::plan_policy defaults{};
  if (p.critic_threshold != defaults.critic_threshold
      || p.max_revisions != defaults.max_revisions
      || p.escalate_below_quality != defaults.escalate_below_quality)
    return true;
  for (const auto& roles : p.roles)
    if (!roles.empty())
      return true;
  return false;
}

/// The registry's `plans:` section. Its roles are listed per task type by
/// the type's index, after their count.
template <class F, visited<engine::plan_policy> T>
void fields(F& f, T& p) {
  f.f64(p.critic_threshold);
  f.varint(p.max_revisions);
  optional_f64(f, p.escalate_below_quality);
  std::size_t types = p.roles.size();
  f.count(types, 1);
  f.expect(types <= p.roles.size());
  for (std::size_t t = 0; t < types && t < p.roles.size() && f.ok(); ++t)
    f.list(p.roles[t], 2, [&](auto& role) {
      f.string(role.name);
      f.string(role.prompt);
    });
  f.expect(p.critic_threshold >= 0.0 && p.critic_threshold <= 1.0);
}

/// Whether hedging differs from the policy's defaults.
bool hedging_configured(const engine::routing_policy& p) {
  static const engine::routing_policy defaults{};
  return p.ensemble_quorum != defaults.ensemble_quorum
         || p.ensemble_member_timeout_s != defaults.ensemble_member_timeout_s
         || p.hedge_latency_factor != defaults.hedge_latency_factor;
}

/// The policy as version 1 stored it; the selection mode came later
/// (appended in the registry's fields).
template <class F, visited<engine::routing_policy> T>
void fields(F& f, T& p) {
  f.boolean(p.prefer_local);
  f.f64(p.max_cost_per_task_usd);
  f.f64(p.max_latency_per_call_s);
  f.varint(p.max_tokens_per_task);
  f.boolean(p.allow_cloud_fallback);
  f.boolean(p.allow_experimental);
  for (auto& q : p.quality_by_tier)
    f.f64(q);
  f.varint(p.escalate_after_local_failures);
  f.f64(p.parallel_quality_threshold);
  f.enumeration(p.default_consensus, engine::consensus_strategy_names.size());
  f.boolean(p.require_approval_for_critical);
  f.list(p.preferred_vendors, 1, [&](auto& v) { f.string(v); });
  fields(f, p.breaker);
  fields(f, p.retry);
}

/// Only what routing reads: not the server, storage, prompt-model or
/// cluster settings.
template <class F, visited<engine::registry> T>
void fields(F& f, T& reg) {
  f.list(reg.providers, 6, [&](auto& p) { fields(f, p); });
  f.list(reg.models, 49, [&](auto& m) {
    fields(f, m);
    f.expect(m.provider_index < reg.providers.size());
  });
  for (auto& pref : reg.preferences) {
    u16_list(f, pref.preferred);
    u16_list(f, pref.budget);
    for (auto m : pref.preferred)
      f.expect(m < reg.models.size());
    for (auto m : pref.budget)
      f.expect(m < reg.models.size());
  }
  fields(f, reg.policy);
  f.varint(reg.config_hash);
  // Appended after version 1 shipped. Records without it were routed
  // smallest-capable (the policy's default).
  if (f.appended(true)) {
    f.enumeration(reg.policy.selection, engine::selection_mode_names.size());
    f.f64(reg.policy.success_value_usd);
  }
  // Sections are read by position: each is written when any later one is.
  bool plans = plans_configured(reg.plans);
  // Appended after the selection mode shipped; written only when hedging
  // differs from the policy's defaults, which a registry without it reads,
  // or when the plans section follows it.
  if (f.appended(hedging_configured(reg.policy) || plans)) {
    f.varint(reg.policy.ensemble_quorum);
    f.f64(reg.policy.ensemble_member_timeout_s);
    f.f64(reg.policy.hedge_latency_factor);
    f.expect(reg.policy.ensemble_member_timeout_s > 0
             && reg.policy.hedge_latency_factor > 0);
  }
  // Appended after the hedging section shipped; written only when the plan
  // policy differs from its defaults, which a registry without it reads.
  if (f.appended(plans))
    fields(f, reg.plans);
}

template <class F, visited<api_key_record> T>
void fields(F& f, T& k) {
  f.string(k.id);
  f.bytes(k.secret_sha256);
  f.string(k.name);
  optional_f64(f, k.budget_usd);
  optional_varint(f, k.requests_per_minute);
  f.zigzag(k.created_unix_s);
  f.boolean(k.revoked);
  f.zigzag(k.revoked_unix_s);
  f.boolean(k.admin);
}

// -- versions -----------------------------------------------------------------

caf::error corrupt(std::string_view what, std::string detail) {
  return caf::make_error(error_code::corrupt_data,
                         "cannot decode " + std::string{what} + ": "
                           + std::move(detail));
}

/// Reads the version byte; on a mismatch says which version was found.
std::optional<caf::error> check_version(field_reader& f, std::string_view what,
                                        std::uint8_t expected) {
  std::uint8_t version = 0;
  f.u8(version);
  if (!f.ok())
    return corrupt(what, "empty value");
  if (version != expected)
    return corrupt(what, "encoding version " + std::to_string(version)
                           + " is unknown to this build (it reads version "
                           + std::to_string(expected)
                           + "); was the store written by a newer switchyard?");
  return std::nullopt;
}

std::optional<caf::error> check_end(const field_reader& f,
                                    std::string_view what) {
  if (!f.ok())
    return corrupt(what, "truncated or malformed value");
  if (!f.at_end())
    return corrupt(what, "trailing bytes after the value");
  return std::nullopt;
}

/// `x` in `encoding_version`: the version byte, then its field list.
template <class Record>
std::string encode_value(const Record& x) {
  std::string out;
  field_writer f{out};
  f.u8(encoding_version);
  fields(f, x);
  return out;
}

/// Reads what encode_value() wrote.
template <class Record>
caf::expected<Record> decode_value(std::string_view value,
                                   std::string_view what) {
  field_reader f{value};
  if (auto err = check_version(f, what, encoding_version))
    return std::move(*err);
  Record x;
  fields(f, x);
  if (auto err = check_end(f, what))
    return std::move(*err);
  return x;
}

caf::expected<decision_record> decode_decision_v1(std::string_view value) {
  constexpr std::string_view what = "decision record";
  field_reader f{value};
  if (auto err = check_version(f, what, decision_encoding_v1))
    return std::move(*err);
  decision_record rec;
  decision_v1_fields(f, rec);
  if (auto err = check_end(f, what))
    return std::move(*err);
  return rec;
}

caf::expected<decision_record>
decode_decision_v2(std::string_view value, const shared_inputs_lookup& lookup) {
  constexpr std::string_view what = "decision record";
  field_reader f{value};
  if (auto err = check_version(f, what, decision_encoding_version))
    return std::move(*err);
  decision_record rec;
  rec.evidence_stored = false;
  std::vector<std::uint64_t> hashes;
  decision_v2_fields(f, rec, rec.prompts, hashes);
  if (auto err = check_end(f, what))
    return std::move(*err);
  std::size_t i = 0;
  std::optional<caf::error> failed;
  for_each_round(rec, [&](decision_round& round) {
    auto hash = hashes[i++];
    auto& in = round.decision.inputs;
    if (failed || !in.recorded)
      return;
    if (!lookup) {
      in.recorded = false;
      return;
    }
    auto shared = lookup(hash);
    if (!shared) {
      if (error_code_of(shared.error()) != error_code::not_found)
        failed = std::move(shared.error());
      in.recorded = false; // pruned: replay says it cannot be exact
      return;
    }
    constexpr std::string_view shared_what = "shared routing inputs";
    if (shared->size() < 9
        || static_cast<std::uint8_t>((*shared)[0]) != shared_inputs_version) {
      failed = corrupt(shared_what, "unknown encoding version");
      return;
    }
    field_reader sf{std::string_view{*shared}.substr(9)};
    shared_fields(sf, in);
    failed = check_end(sf, shared_what);
  });
  if (failed)
    return std::move(*failed);
  return rec;
}

} // namespace

// -- decision records ---------------------------------------------------------

std::string encode_decision(const decision_record& rec) {
  std::string out;
  field_writer f{out};
  f.u8(decision_encoding_v1);
  decision_v1_fields(f, rec);
  return out;
}

std::string encode_decision(const decision_record& rec,
                            prompt_retention prompts,
                            const std::vector<std::uint64_t>& round_inputs) {
  std::string out;
  out.reserve(256);
  field_writer f{out};
  f.u8(decision_encoding_version);
  decision_v2_fields(f, rec, prompts, round_inputs);
  return out;
}

caf::expected<decision_record>
decode_decision(std::string_view value, const shared_inputs_lookup& lookup) {
  if (!value.empty()
      && static_cast<std::uint8_t>(value[0]) == decision_encoding_version)
    return decode_decision_v2(value, lookup);
  // Version 1, or a version this build does not know (which it says).
  return decode_decision_v1(value);
}

std::optional<std::int64_t> decision_created_unix_ms(std::string_view value) {
  if (value.size() < 9
      || (static_cast<std::uint8_t>(value[0]) != decision_encoding_v1
          && static_cast<std::uint8_t>(value[0]) != decision_encoding_version))
    return std::nullopt;
  byte_reader r{value.substr(1, 8)};
  return static_cast<std::int64_t>(r.big_endian64());
}

// -- shared routing inputs ----------------------------------------------------

shared_inputs encode_shared_inputs(const engine::routing_inputs& in) {
  shared_inputs s;
  field_writer f{s.content};
  shared_fields(f, in);
  // FNV-1a: a content address, not a defence (the store is the node's own).
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s.content) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  s.hash = h;
  return s;
}

std::string shared_inputs_value(const shared_inputs& s,
                                std::int64_t written_unix_ms) {
  std::string out;
  out.reserve(9 + s.content.size());
  byte_writer w{out};
  w.u8(shared_inputs_version);
  w.big_endian64(static_cast<std::uint64_t>(written_unix_ms));
  out += s.content;
  return out;
}

std::string shared_inputs_key(std::uint64_t hash) {
  std::string k;
  append_big_endian(k, hash);
  return k;
}

std::optional<std::int64_t>
shared_inputs_written_unix_ms(std::string_view value) {
  if (value.size() < 9
      || static_cast<std::uint8_t>(value[0]) != shared_inputs_version)
    return std::nullopt;
  byte_reader r{value.substr(1, 8)};
  return static_cast<std::int64_t>(r.big_endian64());
}

// -- learned cells ------------------------------------------------------------

std::string encode_learned(const engine::learned_cell& cell) {
  return encode_value(cell);
}

caf::expected<engine::learned_entry> decode_learned(std::string_view key,
                                                    std::string_view value) {
  constexpr std::string_view what = "learned cell";
  auto sep = key.find('\0');
  if (sep == std::string_view::npos)
    return corrupt(what, "key without a task type");
  auto type = engine::parse_task_type(key.substr(sep + 1));
  if (!type)
    return corrupt(what, "unknown task type '"
                           + std::string{key.substr(sep + 1)} + "' in its key");
  auto cell = decode_value<engine::learned_cell>(value, what);
  if (!cell)
    return std::move(cell.error());
  return engine::learned_entry{std::string{key.substr(0, sep)}, *type, *cell};
}

// -- feedback -----------------------------------------------------------------

std::string encode_feedback(const feedback_record& rec) {
  return encode_value(rec);
}

std::optional<std::int64_t>
feedback_received_unix_ms(std::string_view value) {
  if (value.empty() || static_cast<std::uint8_t>(value[0]) != encoding_version)
    return std::nullopt;
  byte_reader r{value.substr(1)};
  r.varint(); // decision id
  auto received = r.zigzag();
  if (!r.ok())
    return std::nullopt;
  return received;
}

caf::expected<feedback_record> decode_feedback(std::string_view value) {
  return decode_value<feedback_record>(value, "feedback record");
}

// -- ledger -------------------------------------------------------------------

std::string encode_ledger(std::int64_t spent_nanos) {
  ledger_entry e;
  e.spent_nanos = spent_nanos;
  return encode_value(e);
}

caf::expected<ledger_entry> decode_ledger(std::string_view key,
                                          std::string_view value) {
  constexpr std::string_view what = "ledger entry";
  if (key.size() < 9 || key[key.size() - 9] != '\0')
    return corrupt(what, "malformed key");
  auto e = decode_value<ledger_entry>(value, what);
  if (!e)
    return e;
  e->scope = std::string{key.substr(0, key.size() - 9)};
  byte_reader kr{key.substr(key.size() - 8)};
  e->day = static_cast<std::int64_t>(kr.big_endian64() - day_offset);
  return e;
}

// -- experiments --------------------------------------------------------------

std::string encode_experiment(const experiment_state& s) {
  return encode_value(s);
}

caf::expected<experiment_state> decode_experiment(std::string_view value) {
  return decode_value<experiment_state>(value, "experiment");
}

// -- registries ---------------------------------------------------------------

std::string encode_registry(const engine::registry& reg) {
  return encode_value(reg);
}

caf::expected<engine::registry> decode_registry(std::string_view value) {
  return decode_value<engine::registry>(value, "registry");
}

// -- API keys -----------------------------------------------------------------

std::string encode_api_key(const api_key_record& k) {
  return encode_value(k);
}

caf::expected<api_key_record> decode_api_key(std::string_view value) {
  return decode_value<api_key_record>(value, "API key");
}

} // namespace switchyard::storage
