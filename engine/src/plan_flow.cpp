#include "switchyard/engine/plan_flow.hpp"

#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/ensemble_deadline.hpp"
#include "switchyard/engine/estimate.hpp"
#include "switchyard/engine/plan_prompts.hpp"
#include "switchyard/engine/registry.hpp"

#include <algorithm>

namespace switchyard::engine {

namespace {

bool is_rating(std::string_view role) noexcept {
  return role == "critic" || role == "judge";
}

/// The input tokens a step reads on top of the task's: the plan, the
/// specialists' notes or the answer to rate.
std::uint32_t extra_input(const plan_step& s, const execution_plan& p,
                          const token_estimate& task) {
  if (s.role == "executor")
    return plan_flow::note_tokens;
  if (s.role == "synthesis") {
    auto n = std::count_if(p.steps.begin(), p.steps.end(),
                           [](const plan_step& x) { return x.specialist; });
    return static_cast<std::uint32_t>(n) * task.output;
  }
  if (is_rating(s.role))
    return task.output;
  return 0;
}

std::uint32_t output_of(const plan_step& s, const token_estimate& task) {
  if (s.role == "planner")
    return plan_flow::note_tokens;
  if (is_rating(s.role))
    return plan_flow::rating_tokens;
  return task.output;
}

/// The model a step is likely routed to: the task's own for its tier, the
/// cheapest candidate meeting the simple tier's requirement for a step
/// routed as simple.
std::uint16_t likely_model(const registry& reg, const decision& task,
                           complexity_tier tier) {
  if (tier != complexity_tier::simple || task.cls.tier == tier)
    return task.model;
  auto need = reg.policy.quality_by_tier[0];
  const candidate* best = nullptr;
  for (const auto& c : task.candidates)
    if (c.predicted_quality >= need
        && (best == nullptr || c.cost.max < best->cost.max))
      best = &c;
  return best != nullptr ? best->model : task.model;
}

} // namespace

std::optional<std::uint16_t> next_stronger_model(const decision& d,
                                                 std::uint16_t answered) {
  const auto* a = d.find_candidate(answered);
  if (a == nullptr)
    return std::nullopt;
  const candidate* best = nullptr;
  for (const auto& c : d.candidates) {
    if (c.model == answered || c.predicted_quality <= a->predicted_quality)
      continue;
    if (best == nullptr || c.predicted_quality < best->predicted_quality
        || (c.predicted_quality == best->predicted_quality
            && c.cost.max < best->cost.max))
      best = &c;
  }
  if (best == nullptr)
    return std::nullopt;
  return best->model;
}

std::vector<usd_nanos> step_worst_costs(const registry& reg,
                                        const decision& task,
                                        const execution_plan& plan) {
  std::vector<usd_nanos> out;
  out.reserve(plan.steps.size());
  for (const auto& s : plan.steps) {
    if (!task.has_model()) {
      out.push_back(0);
      continue;
    }
    auto m = likely_model(reg, task, s.route_as);
    token_estimate t{task.tokens.input + extra_input(s, plan, task.tokens),
                     output_of(s, task.tokens)};
    out.push_back(estimate_cost(reg.models[m], t).max);
  }
  return out;
}

plan_flow::plan_flow(const registry& reg, execution_plan plan,
                     const decision& task, std::string task_text,
                     plan_settings settings)
  : reg_(&reg),
    plan_(std::move(plan)),
    task_(task),
    task_text_(std::move(task_text)),
    settings_(settings) {
  // The flow starts at start().
}

std::size_t plan_flow::add_step(const plan_step& s, usd_nanos worst,
                                std::uint32_t revision) {
  step_outcome o;
  o.role = s.role;
  o.route_as = s.route_as;
  o.final = s.final;
  o.revision = revision;
  o.worst_cost_nanos = worst;
  outcomes_.push_back(std::move(o));
  texts_.emplace_back();
  finished_.push_back(false);
  return outcomes_.size() - 1;
}

usd_nanos plan_flow::left() const noexcept {
  return std::max<usd_nanos>(settings_.budget - spent_, 0);
}

usd_nanos plan_flow::share(std::size_t i, std::size_t parallel) const noexcept {
  usd_nanos pending = 0;
  for (const auto& o : outcomes_)
    if (!o.ran)
      pending += o.worst_cost_nanos;
  auto slack = std::max<usd_nanos>(left() - pending, 0);
  return outcomes_[i].worst_cost_nanos
         + slack / static_cast<usd_nanos>(std::max<std::size_t>(parallel, 1));
}

step_launch plan_flow::launch(std::size_t i, std::string instruction,
                              std::string input) {
  step_launch l;
  l.step = i;
  l.final = outcomes_[i].final;
  l.instruction = std::move(instruction);
  l.input = std::move(input);
  l.route_as = outcomes_[i].route_as;
  if (outcomes_[i].role == "planner")
    l.max_output_tokens = note_tokens;
  else if (is_rating(outcomes_[i].role))
    l.max_output_tokens = rating_tokens;
  return l;
}

plan_next plan_flow::fail(error_code code, std::string message) const {
  plan_next n;
  n.action = plan_action::fail;
  n.error = code;
  n.message = std::move(message);
  return n;
}

plan_next plan_flow::succeed(std::size_t i) const {
  plan_next n;
  n.action = plan_action::succeed;
  n.answer_step = i;
  return n;
}

std::vector<std::uint16_t> plan_flow::avoid_for(std::size_t nth) const {
  // The providers of the capable candidates, the task's own model's first.
  std::vector<std::uint16_t> providers;
  auto add = [&](std::uint16_t model) {
    auto p = reg_->models[model].provider_index;
    if (std::find(providers.begin(), providers.end(), p) == providers.end())
      providers.push_back(p);
  };
  if (task_.has_model())
    add(task_.model);
  for (const auto& c : task_.candidates)
    if (c.capable)
      add(c.model);
  if (providers.size() < 2)
    return {};
  auto skip = nth % providers.size();
  std::vector<std::uint16_t> avoid;
  for (const auto& c : task_.candidates) {
    auto p = reg_->models[c.model].provider_index;
    auto at = std::find(providers.begin(), providers.end(), p);
    if (at != providers.end()
        && static_cast<std::size_t>(at - providers.begin()) < skip)
      avoid.push_back(c.model);
  }
  return avoid;
}

std::optional<plan_next> plan_flow::fit() {
  if (!task_.has_model())
    return fail(error_code::no_candidate, "no model can take the task");
  auto worst = step_worst_costs(*reg_, task_, plan_);
  auto fitted = fit_to_budget(plan_, worst, settings_.budget);
  if (!fitted.refusal.empty() && plan_.kind != plan_kind::single) {
    // Not even the plan's shortest form fits: one call, as the router
    // chose it within the budget, is the shortest of all.
    fitted.dropped.clear();
    for (const auto& s : plan_.steps)
      fitted.dropped.push_back(s.role);
    plan_request single;
    single.requested = plan_kind::single;
    single.tier = task_.cls.tier;
    auto one = build_plan(single);
    auto one_worst = step_worst_costs(*reg_, task_, one);
    auto refit = fit_to_budget(one, one_worst, settings_.budget);
    fitted.plan = std::move(refit.plan);
    fitted.refusal = std::move(refit.refusal);
  }
  if (!fitted.refusal.empty())
    return fail(error_code::budget_exhausted, fitted.refusal);
  plan_ = std::move(fitted.plan);
  dropped_ = std::move(fitted.dropped);
  worst = step_worst_costs(*reg_, task_, plan_);
  for (std::size_t i = 0; i < plan_.steps.size(); ++i) {
    add_step(plan_.steps[i], worst[i], 0);
    if (plan_.steps[i].role == "synthesis")
      synthesis_worst_ = worst[i];
    if (plan_.steps[i].role == "critic")
      critic_worst_ = worst[i];
  }
  return std::nullopt;
}

step_launch plan_flow::specialist(std::size_t i, std::size_t nth) {
  auto l = launch(i,
                  specialist_instruction(reg_->plans, task_.cls.type,
                                         plan_.steps[i].role),
                  task_text_);
  l.avoid = avoid_for(nth);
  return l;
}

plan_next plan_flow::start() {
  if (auto refused = fit())
    return std::move(*refused);
  plan_next n;
  n.action = plan_action::launch;
  switch (plan_.kind) {
    case plan_kind::single:
      n.launches.push_back(launch(0, {}, {}));
      break;
    case plan_kind::chain:
      n.launches.push_back(launch(0, planner_instruction(), task_text_));
      break;
    case plan_kind::specialists:
    case plan_kind::critic: {
      std::size_t nth = 0;
      double slowest_s = 0.0;
      for (std::size_t i = 0; i < plan_.steps.size(); ++i)
        if (plan_.steps[i].specialist) {
          n.launches.push_back(specialist(i, nth++));
          slowest_s = std::max(
            slowest_s, likely_specialist_latency_s(n.launches.back().avoid));
        }
      n.deadline_ms = hedge_deadline_ms(reg_->policy, slowest_s);
      break;
    }
  }
  for (auto& l : n.launches)
    l.budget = share(l.step, n.launches.size());
  for (auto& l : n.launches)
    outcomes_[l.step].ran = true;
  running_ = n.launches.size();
  return n;
}

double plan_flow::likely_specialist_latency_s(
  const std::vector<std::uint16_t>& avoid) const {
  const candidate* answer = nullptr;
  for (const auto& c : task_.candidates) {
    if (c.capable
        && std::find(avoid.begin(), avoid.end(), c.model) == avoid.end())
      return c.expected_latency_s;
    if (c.model == task_.model)
      answer = &c;
  }
  // None left: the step falls back to what the task itself routed to.
  if (answer != nullptr)
    return answer->expected_latency_s;
  return estimate_latency_s(reg_->models[task_.model], task_.tokens.output);
}

bool plan_flow::in_specialists() const noexcept {
  for (std::size_t i = 0; i < plan_.steps.size() && i < outcomes_.size(); ++i)
    if (plan_.steps[i].specialist && outcomes_[i].ran && !finished_[i])
      return true;
  return false;
}

plan_next plan_flow::cut_specialists() {
  std::vector<std::size_t> cut;
  for (std::size_t i = 0; i < plan_.steps.size(); ++i)
    if (plan_.steps[i].specialist && outcomes_[i].ran && !finished_[i]) {
      finished_[i] = true;
      outcomes_[i].error = error_code::cancelled;
      outcomes_[i].note = "cut at the specialists' deadline";
      cut.push_back(i);
    }
  running_ = 0;
  auto n = after_specialists();
  n.cut = std::move(cut);
  return n;
}

plan_next plan_flow::deadline_passed() {
  if (deadline_passed_ || !in_specialists())
    return {};
  deadline_passed_ = true;
  for (std::size_t i = 0; i < plan_.steps.size(); ++i)
    if (plan_.steps[i].specialist && finished_[i] && outcomes_[i].ok)
      return cut_specialists();
  return {}; // no note yet: the first success goes on at once
}

plan_next plan_flow::route_all() {
  if (auto refused = fit())
    return std::move(*refused);
  plan_next n;
  n.action = plan_action::launch;
  std::size_t nth = 0;
  for (std::size_t i = 0; i < plan_.steps.size(); ++i) {
    const auto& role = plan_.steps[i].role;
    if (plan_.steps[i].specialist)
      n.launches.push_back(specialist(i, nth++));
    else if (plan_.steps[i].final)
      n.launches.push_back(launch(i, {}, {}));
    else
      // A planner or a critic, routed as it would run (on the task's text).
      n.launches.push_back(launch(
        i, role == "planner" ? planner_instruction() : rating_instruction(),
        task_text_));
  }
  for (auto& l : n.launches)
    l.budget = share(l.step, 1);
  return n;
}

void plan_flow::routed(std::size_t step, bool has_model, std::uint16_t model) {
  if (step >= outcomes_.size())
    return;
  outcomes_[step].has_model = has_model;
  outcomes_[step].model = model;
}

plan_next plan_flow::synthesis_step(std::string_view previous,
                                    std::string_view critique) {
  std::vector<step_note> notes;
  for (std::size_t i = 0; i < outcomes_.size(); ++i)
    if (i < plan_.steps.size() && plan_.steps[i].specialist && outcomes_[i].ok)
      notes.push_back({outcomes_[i].role, texts_[i]});
  std::size_t at = outcomes_.size();
  for (std::size_t i = 0; i < outcomes_.size(); ++i)
    if (outcomes_[i].role == "synthesis" && !outcomes_[i].ran) {
      at = i;
      break;
    }
  if (at == outcomes_.size())
    return fail(error_code::invalid_config, "the plan has no synthesis step");
  plan_next n;
  n.action = plan_action::launch;
  n.launches.push_back(
    launch(at, synthesis_instruction(notes, previous, critique), {}));
  n.launches[0].budget = share(at, 1);
  outcomes_[at].ran = true;
  running_ = 1;
  return n;
}

plan_next plan_flow::after_specialists() {
  std::string failures;
  bool any = false;
  for (std::size_t i = 0; i < plan_.steps.size(); ++i)
    if (plan_.steps[i].specialist) {
      if (outcomes_[i].ok)
        any = true;
      else
        failures += (failures.empty() ? "" : "; ") + outcomes_[i].role + ": "
                    + outcomes_[i].note;
    }
  if (!any)
    return fail(error_code::model_unavailable,
                "every specialist failed (" + failures + ")");
  return synthesis_step({}, {});
}

plan_next plan_flow::rate(std::size_t answer, std::string_view role) {
  std::size_t at = outcomes_.size();
  for (std::size_t i = 0; i < outcomes_.size(); ++i)
    if (outcomes_[i].role == role && !outcomes_[i].ran) {
      at = i;
      break;
    }
  if (at == outcomes_.size()) {
    // The judge of quality escalation: a simple, cheap call.
    plan_step s{std::string{role}, complexity_tier::simple, false, false};
    execution_plan one;
    one.steps.push_back(s);
    at = add_step(s, step_worst_costs(*reg_, task_, one)[0], revisions_);
  }
  if (outcomes_[at].worst_cost_nanos > left()) {
    outcomes_[at].note = "not run: the budget left ("
                         + format_usd(nanos_to_usd(left()))
                         + ") cannot cover it";
    return succeed(answer);
  }
  plan_next n;
  n.action = plan_action::launch;
  n.launches.push_back(launch(at, rating_instruction(),
                              rating_input(task_text_, texts_[answer])));
  n.launches[0].budget = share(at, 1);
  outcomes_[at].ran = true;
  running_ = 1;
  return n;
}

plan_next plan_flow::after_rating(std::size_t rating, const step_result& r) {
  auto& o = outcomes_[rating];
  std::optional<double> score;
  if (r.ok)
    score = parse_rating(texts_[rating]);
  if (!score) {
    o.note = r.ok ? "wrote no score: the answer stands"
                  : "failed: the answer stands";
    return succeed(answer_);
  }
  o.score = *score;
  if (o.role == "critic") {
    if (!wants_revision(plan_, revisions_, *score,
                        reg_->plans.critic_threshold))
      return succeed(answer_);
    if (synthesis_worst_ + critic_worst_ > left()) {
      o.note = "a revision was due; the budget left ("
               + format_usd(nanos_to_usd(left())) + ") cannot cover it";
      return succeed(answer_);
    }
    ++revisions_;
    plan_step synthesis{"synthesis", task_.cls.tier, false, true};
    plan_step critic{"critic", task_.cls.tier, false, false};
    add_step(synthesis, synthesis_worst_, revisions_);
    add_step(critic, critic_worst_, revisions_);
    return synthesis_step(texts_[answer_], texts_[rating]);
  }
  // The escalation judge.
  auto threshold = reg_->plans.escalate_below_quality.value_or(0.0);
  if (*score >= threshold)
    return succeed(answer_);
  if (!stronger_) {
    o.note = "below the threshold; no stronger capable model";
    return succeed(answer_);
  }
  plan_step again{"escalation", task_.cls.tier, false, true};
  token_estimate t = task_.tokens;
  auto worst = estimate_cost(reg_->models[*stronger_], t).max;
  if (worst > left()) {
    o.note = "below the threshold; the budget left ("
             + format_usd(nanos_to_usd(left())) + ") cannot cover "
             + reg_->models[*stronger_].id;
    return succeed(answer_);
  }
  auto at = add_step(again, worst, 0);
  plan_next n;
  n.action = plan_action::launch;
  n.launches.push_back(launch(at, {}, {}));
  n.launches[0].force_model = *stronger_;
  n.launches[0].budget = share(at, 1);
  outcomes_[at].ran = true;
  running_ = 1;
  return n;
}

plan_next plan_flow::finished(std::size_t step, step_result r) {
  if (step >= outcomes_.size() || !outcomes_[step].ran)
    return fail(error_code::invalid_argument, "no such step is running");
  if (finished_[step]) {
    // A cut specialist ending late: what it cost still counts.
    outcomes_[step].cost_nanos += r.cost_nanos;
    outcomes_[step].latency_ms = r.latency_ms;
    spent_ += r.cost_nanos;
    return {};
  }
  finished_[step] = true;
  if (running_ > 0)
    --running_;
  auto& o = outcomes_[step];
  o.ok = r.ok;
  o.has_model = r.has_model;
  o.model = r.model;
  o.cost_nanos = r.cost_nanos;
  o.started_ms = r.started_ms;
  o.latency_ms = r.latency_ms;
  o.input_tokens = r.input_tokens;
  o.output_tokens = r.output_tokens;
  o.error = r.error;
  if (!r.ok)
    o.note = r.message;
  else if (r.tool_call_only && !o.final)
    o.note = "answered with a tool call, taken as its (empty) text";
  texts_[step] = std::move(r.text);
  spent_ += r.cost_nanos;
  const auto role = o.role;
  auto is_specialist = step < plan_.steps.size() && plan_.steps[step].specialist;

  if (is_specialist) {
    if (running_ == 0)
      return after_specialists();
    return deadline_passed_ && r.ok ? cut_specialists() : plan_next{};
  }
  if (is_rating(role))
    return after_rating(step, r);
  if (!r.ok) {
    // A failed revision or escalation leaves the earlier answer standing.
    if ((role == "synthesis" && o.revision > 0) || role == "escalation")
      return succeed(answer_);
    return fail(r.error == error_code::none ? error_code::model_unavailable
                                            : r.error,
                "the plan's " + role + " step failed: " + r.message);
  }
  if (role == "planner") {
    plan_next n;
    n.action = plan_action::launch;
    n.launches.push_back(launch(1, executor_instruction(texts_[step]), {}));
    n.launches[0].budget = share(1, 1);
    outcomes_[1].ran = true;
    running_ = 1;
    return n;
  }
  answer_ = step;
  if (role == "synthesis" && plan_.kind == plan_kind::critic)
    return rate(step, "critic");
  if (role == "answer" && settings_.escalate && !r.tool_call_only) {
    if (r.routed != nullptr)
      stronger_ = next_stronger_model(*r.routed, r.model);
    return rate(step, "judge");
  }
  return succeed(step);
}

} // namespace switchyard::engine
