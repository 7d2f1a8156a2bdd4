#include "switchyard/engine/decision_report.hpp"

#include "switchyard/engine/availability.hpp"
#include "switchyard/engine/router.hpp"

#include <cmath>
#include <cstdio>

namespace switchyard::engine {

std::string format_usd(double v, int digits) {
  char buf[48];
  if (digits < 0)
    std::snprintf(buf, sizeof(buf), "$%.6g", v);
  else
    std::snprintf(buf, sizeof(buf), "$%.*f", digits, v);
  return buf;
}

std::string format_fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

namespace {

std::string usd(double v) {
  return format_usd(v);
}

std::string fixed(double v, int digits) {
  return format_fixed(v, digits);
}

std::string capability_list(capability_set caps) {
  std::string out;
  for (std::size_t i = 0; i < capability_names.size(); ++i)
    if (caps.has(static_cast<capability>(1u << i))) {
      if (!out.empty())
        out += ", ";
      out += capability_names[i];
    }
  return out;
}

const candidate* chosen(const decision& d) {
  return d.has_model() ? d.find_candidate(d.model) : nullptr;
}

} // namespace

std::string describe_filter(const filtered_model& f) {
  switch (f.reason) {
    case filter_reason::disabled: return "disabled in the registry";
    case filter_reason::experimental:
      return "experimental model (policy.allow_experimental is off)";
    case filter_reason::excluded: return "already tried for this task";
    case filter_reason::breaker_open: return "provider's circuit breaker is open";
    case filter_reason::escalated:
      return "local model skipped after " + fixed(f.value, 0)
             + " local failures (escalation threshold "
             + fixed(f.limit, 0) + ")";
    case filter_reason::missing_capability:
      return "lacks " + capability_list(f.missing);
    case filter_reason::context_too_small:
      return "needs " + fixed(f.value, 0) + " tokens, context window holds "
             + fixed(f.limit, 0);
    case filter_reason::over_latency:
      return "estimated " + fixed(f.value, 1) + " s over the "
             + fixed(f.limit, 1) + " s latency bound";
    case filter_reason::over_budget:
      return "worst-case cost " + usd(f.value) + " over the " + usd(f.limit)
             + " budget cap";
    case filter_reason::budget_exhausted:
      return "budget exhausted: only local models may run";
    case filter_reason::below_quality:
      return "predicted quality " + fixed(f.value, 3) + " below the required "
             + fixed(f.limit, 3);
    case filter_reason::unavailable:
      switch (static_cast<unavailability>(f.value)) {
        case unavailability::no_credentials:
          return "no credentials: its provider's key variable is not set";
        case unavailability::invalid_config:
          return "its provider's configuration is unusable (base URL or TLS)";
        case unavailability::unreachable:
          return "its local server did not answer the last probe";
        case unavailability::not_served:
          return "its local server does not serve it";
        case unavailability::not_known_yet:
          return "its local server has not said yet what it serves";
        case unavailability::none:
          break;
      }
      return "unavailable";
    case filter_reason::cannot_express: {
      auto field = static_cast<std::size_t>(f.value);
      return "its wire format cannot carry `"
             + std::string{field < request_field_count
                             ? request_field_names[field]
                             : std::string_view{"?"}}
             + "`";
    }
  }
  return "filtered";
}

std::string forced_refusal(const decision& d, const registry& reg) {
  for (const auto& f : d.filtered_out) {
    if (f.model != d.model
        || (f.reason != filter_reason::cannot_express
            && f.reason != filter_reason::missing_capability))
      continue;
    const auto& m = reg.models[f.model];
    return "model '" + m.id + "' ("
           + std::string{to_string(reg.providers[m.provider_index].kind)}
           + " format) cannot take this request: " + describe_filter(f);
  }
  return "the forced model cannot take this request";
}

std::string unavailable_refusal(const decision& d, const registry& reg) {
  if (d.model >= reg.models.size())
    return "the forced model is not available";
  const auto& m = reg.models[d.model];
  const auto& p = reg.providers[m.provider_index];
  for (const auto& f : d.filtered_out) {
    if (f.model != d.model || f.reason != filter_reason::unavailable)
      continue;
    if (static_cast<unavailability>(f.value) == unavailability::no_credentials)
      return "The model `" + m.id + "` is not available: provider '" + p.id
             + "' has no API key (the environment variable " + p.api_key_env
             + " is not set on the gateway); use \"auto\" or a model from "
               "GET /v1/models";
    return "The model `" + m.id + "` is not available: " + describe_filter(f)
           + " (provider '" + p.id + "'); use \"auto\" or a model from "
             "GET /v1/models";
  }
  return "The model `" + m.id + "` is not available";
}

std::string rationale(const decision& d, const registry& reg,
                      const keyword_classifier& cls) {
  std::string r;
  r += std::string{to_string(d.cls.tier)} + " " + std::string{to_string(d.cls.type)}
       + " task (complexity " + std::to_string(d.cls.score) + "/10";
  if (d.cls.tier_given || d.cls.type_given)
    r += ", caller-stated";
  if (d.cls.matched_count > 0) {
    r += "; matched:";
    for (std::size_t i = 0; i < d.cls.matched_count; ++i) {
      r += i == 0 ? " '" : ", '";
      r += cls.rules()[d.cls.matched[i]].phrase;
      r += "'";
    }
  }
  r += "); quality >= " + fixed(d.quality_required, 2) + ", cap "
       + usd(nanos_to_usd(d.budget_cap)) + ". ";
  if (d.has_note(decision_note::escalated))
    r += "Escalated to commercial models after local failures. ";
  if (d.has_note(decision_note::budget_exhausted))
    r += "Budget exhausted: forced to a local model. ";
  auto name = [&](std::uint16_t m) { return reg.models[m].id; };
  switch (d.rule) {
    case selection_rule::none:
      if (d.has_note(decision_note::unknown_forced_model))
        r += "No decision: force_model names a model that is not in the "
             "registry.";
      else if (d.has_note(decision_note::forced_unavailable))
        r += "No decision: " + unavailable_refusal(d, reg) + ".";
      else if (d.has_note(decision_note::forced_cannot_express))
        r += "No decision: " + forced_refusal(d, reg) + ".";
      else if (d.has_note(decision_note::no_local_model))
        r += "No decision: the budget is exhausted and no local model can "
             "take the task.";
      else if (d.has_note(decision_note::quality_unmet))
        r += "No decision: no available model meets the requested quality.";
      else
        r += "No decision: every model was filtered out.";
      return r;
    case selection_rule::agent_loop:
      r += "Agent loop: the conversation's tool calls were made by "
           + name(d.model) + ", so it stays there (tool-call ids and "
           "signatures are provider-specific).";
      break;
    case selection_rule::forced:
      r += "force_model chose " + name(d.model) + ", overriding every rule";
      if (d.has_note(decision_note::forced_despite_filter))
        r += " (it would otherwise have been filtered out)";
      r += ".";
      break;
    case selection_rule::budget_local:
      r += name(d.model) + " is the smallest capable local model.";
      break;
    case selection_rule::local_first:
      r += "Simple task under prefer_local: " + name(d.model)
           + " is the smallest capable local model.";
      break;
    case selection_rule::top_reasoning:
      r += "Complex reasoning: " + name(d.model)
           + " is the strongest reasoning model within budget.";
      break;
    case selection_rule::preferred:
      r += name(d.model) + " is the first capable model on the "
           + std::string{to_string(d.cls.type)} + " preferred list.";
      break;
    case selection_rule::smallest_capable:
      r += name(d.model)
           + " is the cheapest model whose predicted quality meets the "
             "requirement.";
      break;
    case selection_rule::gain_per_cost:
    case selection_rule::utility:
    {
      bool learned = d.rule == selection_rule::utility;
      std::string rule{to_string(d.rule)};
      auto price = success_price_usd(reg.policy, d.quality_required);
      if (std::isinf(price))
        r += name(d.model) + " has the highest predicted quality (" + rule
             + " at a requirement of 1).";
      else
        r += name(d.model) + " has the best expected value at " + usd(price)
             + " per unit of predicted quality ("
             + (learned ? "utility: each model's expected cost learned from "
                          "its past answers to similar prompts)."
                        : "gain_per_cost: predicted gain per extra dollar).");
      const auto& pe = d.inputs.prompt;
      if (learned && pe.cluster != prompt_evidence::no_cluster)
        r += " The prompt fell in cluster " + std::to_string(pe.cluster)
             + ", with " + std::to_string(pe.neighbours)
             + " neighbours of mean similarity "
             + std::to_string(pe.mean_similarity).substr(0, 5) + ".";
      break;
    }
    case selection_rule::best_available:
      r += "No model meets the tier's quality requirement; "
           + name(d.model) + " has the highest predicted quality.";
      break;
    case selection_rule::ensemble: {
      r += "Parallel ensemble of";
      for (std::size_t i = 0; i < d.ensemble.members.size(); ++i)
        r += (i == 0 ? " " : ", ") + name(d.ensemble.members[i]);
      if (d.ensemble.has_judge)
        r += ", judged by " + name(d.ensemble.judge);
      r += " (" + std::string{to_string(d.ensemble.strategy)}
           + "); worst case " + usd(nanos_to_usd(d.ensemble.max_cost)) + ".";
      if (d.has_note(decision_note::ensemble_short))
        r += " Fewer than 3 distinct providers could take part.";
      break;
    }
  }
  if (d.has_note(decision_note::agent_loop_moved))
    r += " The agent loop's model could not take this round, so the "
         "conversation moved.";
  if (d.has_note(decision_note::ensemble_unaffordable))
    r += " An ensemble was wanted but does not fit the budget.";
  if (auto c = chosen(d))
    r += " Score " + fixed(c->total, 1) + "/100, expected "
         + usd(nanos_to_usd(c->cost.expected)) + ".";
  r += " " + std::to_string(d.candidates.size()) + " candidates, "
       + std::to_string(d.filtered_out.size()) + " filtered out.";
  return r;
}

void write_plan_json(json_writer& w, const plan_summary& plan,
                     const registry& reg) {
  w.begin_object();
  w.field("kind", to_string(plan.kind));
  w.key("dropped").begin_array();
  for (const auto& r : plan.dropped)
    w.value(std::string_view{r});
  w.end_array();
  w.key("steps").begin_array();
  for (const auto& s : plan.steps) {
    w.begin_object();
    w.field("role", std::string_view{s.role});
    if (s.has_model)
      w.field("model", std::string_view{reg.models[s.model].id});
    else
      w.key("model").null();
    w.field("route_as", to_string(s.route_as));
    w.field("final", s.final);
    w.field("ran", s.ran);
    w.field("ok", s.ok);
    w.field("revision", s.revision);
    w.field("worst_cost_usd", nanos_to_usd(s.worst_cost_nanos));
    w.field("cost_usd", nanos_to_usd(s.cost_nanos));
    w.field("started_ms", s.started_ms);
    w.field("latency_ms", s.latency_ms);
    w.field("input_tokens", s.input_tokens);
    w.field("output_tokens", s.output_tokens);
    if (s.score >= 0.0)
      w.field("score", s.score);
    else
      w.key("score").null();
    w.field("note", std::string_view{s.note});
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_decision_json(json_writer& w, const decision& d,
                         const registry& reg, const keyword_classifier& cls,
                         std::string_view decision_id,
                         const plan_summary* plan) {
  auto id = [&](std::uint16_t m) -> std::string_view { return reg.models[m].id; };
  w.begin_object();
  w.field("decision_id", decision_id);
  if (d.has_model()) {
    const auto& m = reg.models[d.model];
    w.field("model", std::string_view{m.id});
    w.field("provider", std::string_view{m.provider});
    w.field("is_local", m.local);
  } else {
    w.key("model").null();
    w.key("provider").null();
    w.field("is_local", false);
  }
  w.field("selection_rule", to_string(d.rule));
  w.field("complexity", to_string(d.cls.tier));
  w.field("complexity_score", d.cls.score);
  w.field("task_type", to_string(d.cls.type));
  w.field("quality_required", d.quality_required);
  w.field("budget_cap_usd", nanos_to_usd(d.budget_cap));
  w.key("tokens").begin_object();
  w.field("input", d.tokens.input);
  w.field("output", d.tokens.output);
  w.end_object();
  w.key("fallbacks").begin_array();
  for (auto f : d.fallbacks)
    w.value(id(f));
  w.end_array();
  w.key("ensemble");
  if (d.parallel) {
    w.begin_object();
    w.key("models").begin_array();
    for (auto m : d.ensemble.members)
      w.value(id(m));
    w.end_array();
    w.key("judge");
    if (d.ensemble.has_judge)
      w.value(id(d.ensemble.judge));
    else
      w.null();
    w.field("strategy", to_string(d.ensemble.strategy));
    w.field("max_cost_usd", nanos_to_usd(d.ensemble.max_cost));
    w.end_object();
  } else {
    w.null();
  }
  w.key("estimated_cost_usd").begin_object();
  if (auto c = chosen(d)) {
    w.field("min", nanos_to_usd(c->cost.min));
    w.field("expected", nanos_to_usd(c->cost.expected));
    w.field("max", nanos_to_usd(c->cost.max));
  } else if (d.has_model()) {
    // A forced model that the filters rejected has no candidate entry.
    auto cost = estimate_cost(reg.models[d.model], d.tokens);
    w.field("min", nanos_to_usd(cost.min));
    w.field("expected", nanos_to_usd(cost.expected));
    w.field("max", nanos_to_usd(cost.max));
  }
  w.end_object();
  w.key("candidates").begin_array();
  for (const auto& c : d.candidates) {
    w.begin_object();
    w.field("model", id(c.model));
    w.field("total", c.total);
    w.field("capable", c.capable);
    w.field("predicted_quality", c.predicted_quality);
    w.field("expected_cost_usd", nanos_to_usd(c.cost.expected));
    // The cost the utility selection weighed (learned, or the estimate).
    w.field("predicted_cost_usd", c.predicted_cost_usd);
    w.field("max_cost_usd", nanos_to_usd(c.cost.max));
    w.field("latency_s", c.latency_s);
    w.key("factors").begin_object();
    w.field("quality", c.points.quality);
    w.field("cost", c.points.cost);
    w.field("history", c.points.history);
    w.field("learned", c.points.learned);
    w.field("preference", c.points.preference);
    w.field("diversity", c.points.diversity);
    w.field("vendor", c.points.vendor);
    w.end_object();
    w.end_object();
  }
  w.end_array();
  if (d.inputs.prompt.used()) {
    // What the prompt model's estimates read.
    const auto& pe = d.inputs.prompt;
    w.key("prompt_model").begin_object();
    if (pe.cluster != prompt_evidence::no_cluster)
      w.field("cluster", static_cast<std::uint64_t>(pe.cluster));
    else
      w.key("cluster").null();
    w.field("neighbours", static_cast<std::uint64_t>(pe.neighbours));
    w.field("mean_similarity", static_cast<double>(pe.mean_similarity));
    w.end_object();
  }
  w.key("filtered_out").begin_array();
  for (const auto& f : d.filtered_out) {
    w.begin_object();
    w.field("model", id(f.model));
    w.field("reason", to_string(f.reason));
    w.field("detail", describe_filter(f));
    w.end_object();
  }
  w.end_array();
  w.key("notes").begin_array();
  constexpr std::array<std::pair<decision_note, std::string_view>, 10> notes{{
    {decision_note::budget_exhausted, "budget_exhausted"},
    {decision_note::quality_relaxed, "quality_relaxed"},
    {decision_note::quality_unmet, "quality_unmet"},
    {decision_note::ensemble_unaffordable, "ensemble_unaffordable"},
    {decision_note::forced_despite_filter, "forced_despite_filter"},
    {decision_note::unknown_forced_model, "unknown_forced_model"},
    {decision_note::escalated, "escalated"},
    {decision_note::no_candidates, "no_candidates"},
    {decision_note::no_local_model, "no_local_model"},
    {decision_note::ensemble_short, "ensemble_short"},
  }};
  for (auto [n, text] : notes)
    if (d.has_note(n))
      w.value(text);
  w.end_array();
  w.field("config_hash", d.config_hash);
  w.field("rationale", rationale(d, reg, cls));
  if (plan != nullptr) {
    w.key("plan");
    write_plan_json(w, *plan, reg);
  }
  w.end_object();
}

} // namespace switchyard::engine
