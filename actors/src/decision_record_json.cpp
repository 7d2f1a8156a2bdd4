#include "switchyard/actors/decision_record_json.hpp"

#include "switchyard/actors/decision_replay.hpp"
#include "switchyard/engine/availability.hpp"
#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/engine/learning.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/telemetry/trace_id.hpp"

namespace switchyard::actors {

std::string model_name(const engine::registry& reg, std::uint16_t m) {
  return m < reg.models.size() ? reg.models[m].id : "#" + std::to_string(m);
}

std::string verdict_name(engine::feedback_report::verdict v) {
  switch (v) {
    case engine::feedback_report::verdict::success: return "success";
    case engine::feedback_report::verdict::partial: return "partial";
    case engine::feedback_report::verdict::failure: return "failure";
    case engine::feedback_report::verdict::none: break;
  }
  return "none";
}

namespace {

/// One routing round: its context, the inputs it read and the decision
/// with its evidence.
void write_round(engine::json_writer& w, const decision_round& round,
                 const engine::registry& reg,
                 const engine::keyword_classifier& cls,
                 std::string_view id) {
  const auto& c = round.context;
  const auto& in = round.decision.inputs;
  w.begin_object();
  w.key("context").begin_object();
  w.key("exclude").begin_array();
  for (auto m : c.exclude)
    w.value(std::string_view{model_name(reg, m)});
  w.end_array();
  w.field("local_failures", c.local_failures);
  w.key("budget_remaining_usd");
  if (c.budget_remaining)
    w.value(engine::nanos_to_usd(*c.budget_remaining));
  else
    w.null();
  w.field("force_model", std::string_view{c.force_model});
  w.end_object();
  w.key("inputs").begin_object();
  w.field("recorded", in.recorded);
  w.key("breakers_open").begin_array();
  for (std::size_t p = 0; p < in.breaker_open.size(); ++p)
    if (in.breaker_open[p] != 0 && p < reg.providers.size())
      w.value(std::string_view{reg.providers[p].id});
  w.end_array();
  // What could not answer when the decision was made (replay reads it).
  w.key("providers_unavailable").begin_array();
  for (std::size_t p = 0; p < in.provider_unavailable.size(); ++p)
    if (in.provider_unavailable[p] != 0 && p < reg.providers.size()) {
      w.begin_object();
      w.field("provider", std::string_view{reg.providers[p].id});
      w.field("reason", engine::to_string(static_cast<engine::unavailability>(
                          in.provider_unavailable[p])));
      w.end_object();
    }
  w.end_array();
  w.key("models_unavailable").begin_array();
  for (std::size_t m = 0; m < in.model_unavailable.size(); ++m)
    if (in.model_unavailable[m] != 0) {
      w.begin_object();
      w.field("model", std::string_view{model_name(
                         reg, static_cast<std::uint16_t>(m))});
      w.field("reason", engine::to_string(static_cast<engine::unavailability>(
                          in.model_unavailable[m])));
      w.end_object();
    }
  w.end_array();
  w.key("performance").begin_array();
  for (std::size_t m = 0; m < in.performance.size(); ++m) {
    const auto& p = in.performance[m];
    w.begin_object();
    w.field("model", std::string_view{model_name(
                       reg, static_cast<std::uint16_t>(m))});
    w.field("success", p.success);
    w.field("latency_ms", p.latency_ms);
    w.field("feedback_weight", p.feedback_weight);
    w.field("samples", p.samples);
    w.field("confidence", p.confidence);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.key("decision");
  engine::write_decision_json(w, round.decision, reg, cls, id);
  // How the round's ensemble was hedged; null without an ensemble. A
  // deadline of null was recorded before hedging.
  w.key("ensemble_hedging");
  if (const auto& e = round.decision.ensemble; round.decision.parallel) {
    w.begin_object();
    w.key("deadline_ms");
    if (e.deadline_ms != 0)
      w.value(static_cast<std::uint64_t>(e.deadline_ms));
    else
      w.null();
    w.key("quorum");
    if (e.quorum != 0)
      w.value(static_cast<unsigned>(e.quorum));
    else
      w.value(static_cast<std::uint64_t>(e.members.size()));
    w.end_object();
  } else {
    w.null();
  }
  w.end_object();
}

void write_attempts(engine::json_writer& w,
                    const std::vector<attempt_record>& attempts,
                    const engine::registry& reg) {
  w.begin_array();
  for (const auto& a : attempts) {
    w.begin_object();
    w.field("model", std::string_view{model_name(reg, a.model)});
    w.field("error", engine::to_string(a.error));
    w.field("latency_ms", a.latency_ms);
    w.field("cost_usd", engine::nanos_to_usd(a.cost_nanos));
    w.end_object();
  }
  w.end_array();
}

/// Where rounds' candidates and filtered models come from: the record
/// (older stores), recomputed from its stored inputs, or nowhere (no
/// prompt text kept, or the registry it was made under is gone).
std::string_view evidence_source(const decision_record& rec, bool restored) {
  return rec.evidence_stored ? "stored"
         : restored          ? "recomputed"
                             : "unavailable";
}

/// The plan the task ran and every step: its outcome, its attempts and its
/// routing rounds.
void write_plan(engine::json_writer& w, const decision_record& rec,
                const engine::registry& reg,
                const engine::keyword_classifier& cls, std::string_view id) {
  w.begin_object();
  w.field("kind", engine::to_string(rec.plan));
  w.key("dropped").begin_array();
  for (const auto& role : rec.plan_dropped)
    w.value(std::string_view{role});
  w.end_array();
  w.key("steps").begin_array();
  for (const auto& step : rec.steps) {
    const auto& o = step.outcome;
    w.begin_object();
    w.field("role", std::string_view{o.role});
    w.field("revision", o.revision);
    w.field("route_as", to_string(o.route_as));
    w.field("ran", o.ran);
    w.field("ok", o.ok);
    w.field("final", o.final);
    w.key("model");
    if (o.has_model)
      w.value(std::string_view{model_name(reg, o.model)});
    else
      w.null();
    w.field("error", to_string(o.error));
    w.field("cost_usd", engine::nanos_to_usd(o.cost_nanos));
    w.field("worst_cost_usd", engine::nanos_to_usd(o.worst_cost_nanos));
    w.field("started_ms", o.started_ms);
    w.field("latency_ms", o.latency_ms);
    w.field("input_tokens", o.input_tokens);
    w.field("output_tokens", o.output_tokens);
    w.key("score");
    if (o.score >= 0.0)
      w.value(o.score);
    else
      w.null();
    w.field("note", std::string_view{o.note});
    w.field("evidence", evidence_source(rec, has_evidence(rec, step)));
    w.key("attempts");
    write_attempts(w, step.attempts, reg);
    w.key("rounds").begin_array();
    for (const auto& round : step.rounds)
      write_round(w, round, reg, cls, id);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

} // namespace

std::string decision_record_json(const decision_record& rec,
                                 const std::vector<feedback_record>& feedback,
                                 const engine::registry& reg,
                                 bool registry_logged,
                                 const engine::keyword_classifier& cls) {
  std::string out;
  engine::json_writer w{out};
  auto id = format_decision_id(rec.decision_id);
  w.begin_object();
  w.field("decision_id", std::string_view{id});
  w.field("kind", std::string_view{rec.execute ? "execute" : "route"});
  w.field("created_unix_ms", static_cast<std::int64_t>(rec.created_unix_ms));
  // The task's trace (its spans carry `switchyard.decision.id` the other
  // way round); null when it was not traced.
  w.key("trace_id");
  if (rec.traced()) {
    auto hex = telemetry::trace_id{rec.trace_id}.to_hex();
    w.value(std::string_view{hex});
  } else {
    w.null();
  }
  w.field("evidence", evidence_source(rec, rec.evidence_recomputed));
  w.key("task").begin_object();
  w.field("text", std::string_view{rec.task.text});
  w.field("prompts", to_string(rec.prompts));
  if (!rec.prompt_sha256.empty())
    w.field("text_sha256", std::string_view{rec.prompt_sha256});
  w.field("messages", static_cast<std::uint64_t>(
                        rec.shape.recorded ? rec.shape.messages
                                           : rec.task.messages.size()));
  if (rec.shape.recorded) {
    w.field("conversation_bytes", rec.shape.text_bytes);
    w.key("tools").begin_array();
    for (const auto& n : rec.shape.tool_names)
      w.value(std::string_view{n});
    w.end_array();
  }
  w.key("task_type");
  if (rec.task.type)
    w.value(to_string(*rec.task.type));
  else
    w.null();
  w.key("complexity");
  if (rec.task.tier)
    w.value(to_string(*rec.task.tier));
  else
    w.null();
  w.key("budget_usd");
  if (rec.task.budget_usd)
    w.value(*rec.task.budget_usd);
  else
    w.null();
  w.key("min_quality");
  if (rec.task.min_quality)
    w.value(*rec.task.min_quality);
  else
    w.null();
  w.field("context_tokens", rec.task.context_tokens);
  w.field("parallel", rec.task.parallel);
  w.field("force_model", std::string_view{rec.task.force_model});
  w.field("budget_key", std::string_view{rec.task.budget_key});
  w.end_object();
  w.key("experiment");
  if (rec.experiment.empty()) {
    w.null();
  } else {
    w.begin_object();
    w.field("id", std::string_view{rec.experiment});
    w.field("arm", rec.experiment_arm);
    w.end_object();
  }
  w.key("outcome").begin_object();
  w.field("error", to_string(rec.error));
  w.field("error_message", std::string_view{rec.error_message});
  w.key("answered_by");
  if (rec.answered)
    w.value(std::string_view{model_name(reg, rec.answered_by)});
  else
    w.null();
  w.field("cost_usd", engine::nanos_to_usd(rec.cost_nanos));
  w.field("latency_ms", rec.latency_ms);
  w.field("input_tokens", rec.input_tokens);
  w.field("output_tokens", rec.output_tokens);
  w.key("attempts");
  write_attempts(w, rec.attempts, reg);
  w.end_object();
  w.key("feedback").begin_array();
  for (const auto& f : feedback) {
    w.begin_object();
    w.field("received_unix_ms", static_cast<std::int64_t>(f.received_unix_ms));
    w.field("outcome", std::string_view{verdict_name(f.report.outcome)});
    w.key("score");
    if (auto score = engine::score_feedback(f.report))
      w.value(*score);
    else
      w.null();
    w.end_object();
  }
  w.end_array();
  w.field("registry_logged", registry_logged);
  w.key("rounds").begin_array();
  for (const auto& round : rec.rounds)
    write_round(w, round, reg, cls, id);
  w.end_array();
  // A single call has no steps; a plan's rounds above are the routing that
  // chose it.
  w.key("plan");
  write_plan(w, rec, reg, cls, id);
  w.end_object();
  return out;
}


} // namespace switchyard::actors
