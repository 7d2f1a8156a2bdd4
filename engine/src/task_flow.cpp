#include "switchyard/engine/task_flow.hpp"

#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/estimate.hpp"
#include "switchyard/engine/experiment.hpp"
#include "switchyard/engine/registry.hpp"

#include <algorithm>

namespace switchyard::engine {

bool informs_learning(call_error e) noexcept {
  return e != call_error::cancelled && e != call_error::breaker_open
         && e != call_error::overloaded;
}

task_flow::task_flow(const registry& reg, task_flow_options opts)
    : reg_(&reg), opts_(std::move(opts)) {
  ctx_.exclude = opts_.avoid;
}

task_step task_flow::start() {
  ++rounds_;
  return task_step{};
}

task_step task_flow::score() {
  ++rounds_;
  task_step s;
  s.action = task_action::score;
  return s;
}

task_step task_flow::fail(error_code code, std::string message) const {
  task_step s;
  s.action = task_action::fail;
  s.error = code;
  s.message = std::move(message);
  return s;
}

task_step task_flow::peer_failed(bool ledger, std::string what) const {
  return fail(ledger ? error_code::budget_exhausted : error_code::no_candidate,
              std::move(what));
}

task_step task_flow::refuse(const keyword_classifier& classifier) const {
  const auto& d = decision_;
  if (d.has_note(decision_note::forced_unavailable))
    return fail(error_code::model_unavailable, unavailable_refusal(d, *reg_));
  if (d.has_note(decision_note::forced_cannot_express))
    return fail(error_code::invalid_argument, forced_refusal(d, *reg_));
  auto code = d.has_note(decision_note::no_local_model)
                  || d.has_note(decision_note::budget_exhausted)
                ? error_code::budget_exhausted
              : d.has_note(decision_note::unknown_forced_model)
                ? error_code::unknown_model
                : error_code::no_candidate;
  return fail(code, rationale(d, *reg_, classifier));
}

bool task_flow::assign_arm(std::span<const experiment_spec> experiments,
                           std::uint64_t decision_id) {
  const experiment_spec* spec = nullptr;
  for (const auto& e : experiments)
    if (e.type == decision_.cls.type) {
      spec = &e;
      break;
    }
  if (spec == nullptr)
    return false;
  auto arm = engine::assign_arm(*spec, decision_id);
  if (!arm)
    return false;
  experiment_ = spec->id;
  arm_ = static_cast<std::uint32_t>(*arm);
  const auto& model = spec->arms[*arm].model;
  if (model.empty() || reg_->models[decision_.model].id == model)
    return false;
  ctx_.force_model = model;
  return true;
}

task_step task_flow::decided(decision d,
                             std::span<const experiment_spec> experiments,
                             std::uint64_t decision_id,
                             const keyword_classifier& classifier) {
  cls_ = d.cls;
  decision_ = std::move(d);
  next_fallback_ = 0;
  if (!decision_.has_model())
    return refuse(classifier);
  bool assigned = false;
  if (!experiment_checked_) {
    experiment_checked_ = true;
    // The caller's own choice of model wins over any A/B test.
    if (!opts_.caller_forced_model) {
      bool reroute = assign_arm(experiments, decision_id);
      assigned = !experiment_.empty();
      if (reroute) {
        --rounds_; // routing the arm's model is no retry
        auto s = score();
        s.arm_assigned = true;
        return s;
      }
    }
  }
  task_step s;
  if (!opts_.execute) {
    s.action = task_action::answer_route;
  } else if (rounds_ == 1 && !opts_.approved
             && reg_->policy.require_approval_for_critical
             && decision_.cls.tier == complexity_tier::critical) {
    awaiting_approval_ = true;
    s.action = task_action::await_approval;
  } else {
    s = begin_execution();
  }
  s.decision_taken = true;
  s.arm_assigned = assigned;
  return s;
}

task_step task_flow::begin_execution() {
  if (!decision_.parallel)
    return reserve_for(decision_.model);
  reserving_ensemble_ = true;
  task_step s;
  s.action = task_action::reserve;
  s.ensemble = true;
  s.amount = decision_.ensemble.max_cost;
  return s;
}

task_step task_flow::reserve_for(std::uint16_t model) {
  reserving_ensemble_ = false;
  reserving_model_ = model;
  task_step s;
  s.action = task_action::reserve;
  s.model = model;
  // The worst case the call may cost.
  if (auto c = decision_.find_candidate(model))
    s.amount = c->cost.max;
  else
    s.amount = estimate_cost(reg_->models[model], decision_.tokens).max;
  reserving_amount_ = s.amount;
  return s;
}

task_step task_flow::budget_answer(bool granted, usd_nanos remaining,
                                   std::string_view scope) {
  if (!granted) {
    if (budget_rerouted_)
      return fail(error_code::budget_exhausted,
                  "the " + std::string{scope} + " budget cannot cover "
                    + (reserving_ensemble_ ? "the ensemble" : "this task")
                    + " (left: " + format_usd(nanos_to_usd(remaining)) + ")");
    // Routed once more knowing what is left: a cheaper or local model,
    // fewer or cheaper ensemble members.
    budget_rerouted_ = true;
    ctx_.budget_remaining = remaining;
    return score();
  }
  task_step s;
  if (reserving_ensemble_) {
    s.action = task_action::run_ensemble;
    s.ensemble = true;
    s.amount = decision_.ensemble.max_cost;
    return s;
  }
  s.action = task_action::call;
  s.model = reserving_model_;
  auto cap = opts_.max_output_tokens.value_or(reg_->policy.max_tokens_per_task);
  s.amount = reserving_amount_;
  s.max_tokens = max_tokens_within(reg_->models[reserving_model_],
                                   decision_.tokens.input, s.amount, cap);
  return s;
}

task_step task_flow::call_finished(const attempt_record& a, int http_status,
                                   std::string_view error_message,
                                   bool streamed, bool abandoned) {
  spent_ += a.cost_nanos;
  attempts_.push_back(a);
  if (a.error == call_error::none
      || (streamed && a.error == call_error::budget_exceeded)) {
    task_step s;
    s.action = task_action::succeed;
    s.model = a.model;
    return s;
  }
  if (abandoned)
    return fail(error_code::cancelled,
                "the caller abandoned the task (its client disconnected)");
  if (streamed)
    // The caller has part of an answer: no fallback can take it back.
    return fail(error_code::no_candidate,
                reg_->models[a.model].id
                  + " failed mid-stream: " + std::string{error_message});
  ctx_.exclude.push_back(a.model);
  if (reg_->models[a.model].local)
    ++ctx_.local_failures;
  // The request itself is wrong (400, 401, ...): another model would
  // refuse it too, unless it was about this model (404).
  if (a.error == call_error::client_error && http_status != 404)
    return fail(error_code::invalid_argument, std::string{error_message});
  return next_model();
}

task_step task_flow::next_model() {
  const auto& policy = reg_->policy;
  bool escalated = policy.allow_cloud_fallback
                   && ctx_.local_failures
                        >= policy.escalate_after_local_failures;
  const auto& chain = decision_.fallbacks;
  while (next_fallback_ < chain.size()) {
    auto m = chain[next_fallback_++];
    if (std::find(ctx_.exclude.begin(), ctx_.exclude.end(), m)
        != ctx_.exclude.end())
      continue;
    if (escalated && reg_->models[m].local)
      continue;
    // The agent loop's own model failed: the conversation moves on.
    if (decision_.rule == selection_rule::agent_loop)
      decision_.add_note(decision_note::agent_loop_moved);
    return reserve_for(m);
  }
  if (rounds_ >= max_rounds || opts_.caller_forced_model) {
    std::string tried;
    for (const auto& a : attempts_)
      tried += (tried.empty() ? "" : ", ") + reg_->models[a.model].id + " ("
               + std::string{to_string(a.error)} + ")";
    // Refused by this node's own limits everywhere: come back later.
    bool overloaded = !attempts_.empty()
                      && std::all_of(attempts_.begin(), attempts_.end(),
                                     [](const attempt_record& a) {
                                       return a.error == call_error::overloaded;
                                     });
    return fail(overloaded ? error_code::overloaded : error_code::no_candidate,
                "every model tried failed: " + tried);
  }
  // An A/B arm's model failed and has been observed: route freely now.
  ctx_.force_model.clear();
  return score();
}

task_step
task_flow::ensemble_finished(const std::vector<attempt_record>& members,
                             usd_nanos cost, bool ok, std::uint16_t winner,
                             std::string_view error_message, bool abandoned) {
  spent_ += cost;
  attempts_.insert(attempts_.end(), members.begin(), members.end());
  if (!ok)
    return fail(abandoned ? error_code::cancelled : error_code::no_candidate,
                std::string{error_message});
  task_step s;
  s.action = task_action::succeed;
  s.model = winner;
  s.ensemble = true;
  return s;
}

std::optional<task_step> task_flow::approval(bool approved) {
  if (!awaiting_approval_)
    return std::nullopt;
  awaiting_approval_ = false;
  if (!approved)
    return fail(error_code::invalid_argument,
                "the task was rejected by its approver");
  return begin_execution();
}

std::optional<task_step> task_flow::approval_timed_out(std::int64_t waited_ms) {
  if (!awaiting_approval_)
    return std::nullopt;
  awaiting_approval_ = false;
  return fail(error_code::invalid_argument,
              "the task waited for approval longer than "
                + std::to_string(waited_ms) + " ms");
}

} // namespace switchyard::engine
