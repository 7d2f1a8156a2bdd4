#include "explain_command.hpp"

#include "command_line.hpp"
#include "decision_table.hpp"
#include "store_access.hpp"

#include "switchyard/actors/decision_record_json.hpp"
#include "switchyard/actors/decision_replay.hpp"
#include "switchyard/engine/decision_report.hpp"
#include "switchyard/messages/decision_id.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/telemetry/trace_id.hpp"

#include <iostream>

namespace switchyard::cli {

using actors::model_name;
using actors::verdict_name;

namespace {

std::string describe_feedback(const feedback_record& f) {
  std::string s = verdict_name(f.report.outcome);
  if (f.report.quality)
    s += ", quality " + engine::format_fixed(*f.report.quality, 2);
  if (f.report.rating)
    s += ", rating " + std::to_string(*f.report.rating) + "/5";
  if (f.report.pr_merged && *f.report.pr_merged)
    s += ", PR merged";
  if (f.report.pr_reverted && *f.report.pr_reverted)
    s += ", PR reverted";
  if (auto score = engine::score_feedback(f.report))
    s += " (score " + engine::format_fixed(*score, 2) + ")";
  return s + " at " + utc_time(f.received_unix_ms);
}

std::string describe_context(const route_context& c,
                             const engine::routing_inputs& in,
                             const engine::registry& reg) {
  std::string s = "excluded: ";
  if (c.exclude.empty())
    s += "none";
  for (std::size_t i = 0; i < c.exclude.size(); ++i)
    s += (i == 0 ? "" : ", ") + model_name(reg, c.exclude[i]);
  s += "; local failures " + std::to_string(c.local_failures);
  if (c.budget_remaining)
    s += "; budget left "
         + engine::format_usd(engine::nanos_to_usd(*c.budget_remaining));
  if (!c.force_model.empty())
    s += "; A/B arm forces " + c.force_model;
  if (!in.recorded)
    return s + "; inputs not recorded";
  std::string open;
  for (std::size_t p = 0; p < in.breaker_open.size(); ++p)
    if (in.breaker_open[p] != 0 && p < reg.providers.size())
      open += (open.empty() ? "" : ", ") + reg.providers[p].id;
  s += "; breakers open: " + (open.empty() ? std::string{"none"} : open);
  s += in.performance.empty()
         ? std::string{"; no learned state yet"}
         : "; learned cells read: " + std::to_string(in.performance.size());
  return s;
}

std::string_view call_result(engine::call_error e) {
  return e == engine::call_error::none ? std::string_view{"ok"}
                                       : engine::to_string(e);
}

void print_attempts(std::ostream& os, const std::vector<attempt_record>& as,
                    const engine::registry& reg) {
  for (const auto& a : as)
    os << "  attempt    " << model_name(reg, a.model) << ": "
       << call_result(a.error) << ", " << engine::format_fixed(a.latency_ms, 0)
       << " ms, " << engine::format_usd(engine::nanos_to_usd(a.cost_nanos))
       << "\n";
}

void print_rounds(std::ostream& os, const std::vector<decision_round>& rounds,
                  const std::string& text, const std::string& id,
                  const engine::registry& reg,
                  const engine::keyword_classifier& cls) {
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    const auto& round = rounds[i];
    os << "\n-- round " << i + 1 << " of " << rounds.size() << ": "
       << describe_context(round.context, round.decision.inputs, reg)
       << "\n\n";
    print_decision_detail(os, {text, id, round.decision}, reg, cls);
  }
}

/// "critic (dropped by the budget: review)".
std::string describe_plan(const decision_record& rec) {
  std::string s{engine::to_string(rec.plan)};
  if (!rec.steps.empty())
    s += ", " + std::to_string(rec.steps.size()) + " step"
         + (rec.steps.size() == 1 ? "" : "s");
  if (!rec.plan_dropped.empty()) {
    s += "; dropped by the budget: ";
    for (std::size_t i = 0; i < rec.plan_dropped.size(); ++i)
      s += (i == 0 ? "" : ", ") + rec.plan_dropped[i];
  }
  return s;
}

/// A step's outcome, then its attempts and every routing round.
void print_step(std::ostream& os, const decision_record& rec, std::size_t i,
                const std::string& id, const engine::registry& reg,
                const engine::keyword_classifier& cls) {
  const auto& step = rec.steps[i];
  const auto& o = step.outcome;
  os << "\n== step " << i + 1 << " of " << rec.steps.size() << ": " << o.role;
  if (o.revision > 0)
    os << ", revision " << o.revision;
  os << " (routed as " << to_string(o.route_as)
     << (o.final ? ", its answer is the task's" : "") << ")\n";
  os << "model:       "
     << (o.has_model ? model_name(reg, o.model) : std::string{"(none)"});
  if (!o.ran)
    os << ", not run";
  else if (o.ok)
    os << ", ok";
  else
    os << ", failed (" << to_string(o.error) << ")";
  os << "\n";
  os << "cost:        " << engine::format_usd(engine::nanos_to_usd(o.cost_nanos))
     << " (worst case "
     << engine::format_usd(engine::nanos_to_usd(o.worst_cost_nanos)) << ")\n";
  if (o.ran)
    os << "time:        started at " << engine::format_fixed(o.started_ms, 0)
       << " ms, took " << engine::format_fixed(o.latency_ms, 0) << " ms\n"
       << "tokens:      " << o.input_tokens << " in, " << o.output_tokens
       << " out\n";
  if (o.score >= 0.0)
    os << "score:       " << engine::format_fixed(o.score, 2) << "\n";
  if (!o.note.empty())
    os << "note:        " << o.note << "\n";
  print_attempts(os, step.attempts, reg);
  if (!actors::has_evidence(rec, step))
    os << "evidence:    not recomputed (a round came out differently, or no "
          "prompt text or logged registry)\n";
  print_rounds(os, step.rounds, rec.task.text, id, reg, cls);
}

void print_text(std::ostream& os, const decision_record& rec,
                const std::vector<feedback_record>& feedback,
                const engine::registry& reg, bool registry_logged,
                const engine::keyword_classifier& cls,
                const std::optional<experiment_state>& experiment) {
  auto id = format_decision_id(rec.decision_id);
  os << "decision:    " << id << " (" << (rec.execute ? "execute" : "route")
     << ", " << utc_time(rec.created_unix_ms) << ")\n";
  if (!rec.task.budget_key.empty())
    os << "budget key:  " << rec.task.budget_key << "\n";
  if (rec.traced())
    os << "trace:       " << telemetry::trace_id{rec.trace_id}.to_hex() << "\n";
  if (!rec.experiment.empty()) {
    os << "experiment:  " << rec.experiment << ", arm ";
    if (experiment && rec.experiment_arm < experiment->spec.arms.size()) {
      const auto& arm = experiment->spec.arms[rec.experiment_arm];
      os << "'" << arm.name << "' ("
         << (arm.model.empty() ? std::string{"the router's choice"}
                               : arm.model)
         << ")";
    } else {
      os << rec.experiment_arm + 1;
    }
    os << "\n";
  }
  if (rec.execute) {
    os << "outcome:     ";
    if (rec.answered)
      os << "answered by " << model_name(reg, rec.answered_by) << " in "
         << engine::format_fixed(rec.latency_ms, 0) << " ms for "
         << engine::format_usd(engine::nanos_to_usd(rec.cost_nanos)) << " ("
         << rec.input_tokens << " in, " << rec.output_tokens << " out)";
    else
      os << "failed (" << to_string(rec.error) << "): " << rec.error_message;
    os << "\n";
    print_attempts(os, rec.attempts, reg);
  } else if (rec.error != error_code::none) {
    os << "outcome:     " << to_string(rec.error) << ": " << rec.error_message
       << "\n";
  }
  for (const auto& f : feedback)
    os << "feedback:    " << describe_feedback(f) << "\n";
  if (!rec.rounds.empty()) {
    char hash[24];
    std::snprintf(hash, sizeof(hash), "%016llx",
                  static_cast<unsigned long long>(
                    rec.rounds.front().decision.config_hash));
    os << "config:      " << hash
       << (registry_logged ? " (the registry logged with it)"
                           : " (not in the store: names from --config or the "
                             "built-in registry)")
       << "\n";
  }
  if (rec.plan != engine::plan_kind::single || !rec.steps.empty())
    os << "plan:        " << describe_plan(rec) << "\n";
  print_rounds(os, rec.rounds, rec.task.text, id, reg, cls);
  for (std::size_t i = 0; i < rec.steps.size(); ++i)
    print_step(os, rec, i, id, reg, cls);
}

} // namespace

int run_explain_command(const std::vector<std::string>& args) {
  command_line cl{
    "explain",
    "switchyard explain ID [--data-dir D] [--json]\n\n"
    "Prints a logged decision: the task, every routing round with the state\n"
    "it read (learned cells, breakers, budget), every candidate's points,\n"
    "every filtered model's reason, how the task ended and its feedback;\n"
    "for a plan, its kind and every step with its outcome and rounds.\n"
    "ID is dec_<hex> (as printed) or a decimal number. Reads the store\n"
    "read-only, so it works beside a running node. Exits 1 when the\n"
    "decision is not in the log (unknown or past retention), 2 on an error.",
    {
      {"data-dir", takes::text,
       "the node's data directory (default: $SWITCHYARD_DATA_DIR, else "
       "./switchyard-data)"},
      {"config", takes::text,
       "registry for names when the store lacks the logged one"},
      {"json", takes::nothing, "print JSON"},
    }};
  if (auto done = cl.parse_or_exit(args, "switchyard explain"))
    return *done;
  if (cl.positional().size() != 1) {
    std::cerr << "switchyard explain: expected one decision id (see --help)\n";
    return 2;
  }
  auto id = parse_decision_id(cl.positional().front());
  if (!id) {
    std::cerr << "switchyard explain: '" << cl.positional().front()
              << "' is not a decision id (dec_<hex> or a decimal number)\n";
    return 2;
  }
  auto db = open_store(data_dir_from(cl), false, "explain");
  if (!db)
    return 2;
  auto rec = db->get_decision(*id);
  if (!rec) {
    std::cerr << "switchyard explain: " << error_message(rec.error()) << "\n";
    return error_code_of(rec.error()) == error_code::not_found ? 1 : 2;
  }
  auto feedback = db->feedback_for(*id);
  if (!feedback) {
    std::cerr << "switchyard explain: " << error_message(feedback.error())
              << "\n";
    return 2;
  }
  std::optional<engine::registry> reg;
  bool logged = false;
  if (!rec->rounds.empty())
    if (auto r = db->get_registry(rec->rounds.front().decision.config_hash)) {
      reg = std::move(*r);
      logged = true;
    }
  if (!reg) {
    reg = registry_from(cl, "explain");
    if (!reg)
      return 2;
  }
  std::optional<experiment_state> experiment;
  if (!rec->experiment.empty())
    if (auto e = db->get_experiment(rec->experiment))
      experiment = std::move(*e);
  engine::keyword_classifier cls;
  // A compact record stores inputs, not evidence: recompute it, over the
  // registry the decision was made under.
  if (logged)
    actors::restore_evidence(*rec, *reg, cls);
  if (cl.has("json"))
    std::cout << actors::decision_record_json(*rec, *feedback, *reg, logged,
                                              cls)
              << "\n";
  else
    print_text(std::cout, *rec, *feedback, *reg, logged, cls, experiment);
  return 0;
}

} // namespace switchyard::cli
