#include "switchyard/engine/execution_plan.hpp"

#include "switchyard/engine/decision_report.hpp"

#include <algorithm>
#include <numeric>

namespace switchyard::engine {

namespace {

bool is_code(task_type t) noexcept {
  return t == task_type::code_generation || t == task_type::code_review
         || t == task_type::testing || t == task_type::refactoring;
}

plan_step step(std::string role, complexity_tier tier, bool specialist,
               bool final) {
  return {std::move(role), tier, specialist, final};
}

/// What the plan may cost at most: every step once, and each revision
/// round a synthesis and a critic again.
usd_nanos worst_total(const execution_plan& p,
                      std::span<const usd_nanos> worst_case) {
  usd_nanos total = 0;
  usd_nanos synthesis = 0;
  usd_nanos critic = 0;
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    total += worst_case[i];
    if (p.steps[i].role == "synthesis")
      synthesis = worst_case[i];
    if (p.steps[i].role == "critic")
      critic = worst_case[i];
  }
  if (p.kind == plan_kind::critic)
    total += static_cast<usd_nanos>(p.max_revisions) * (synthesis + critic);
  return total;
}

/// Drops step `i` from the plan and from the costs.
void drop(fitted_plan& out, std::vector<usd_nanos>& costs, std::size_t i) {
  out.dropped.push_back(out.plan.steps[i].role);
  out.plan.steps.erase(out.plan.steps.begin() + static_cast<std::ptrdiff_t>(i));
  costs.erase(costs.begin() + static_cast<std::ptrdiff_t>(i));
}

} // namespace

std::string_view to_string(plan_kind k) noexcept {
  switch (k) {
    case plan_kind::single: return "single";
    case plan_kind::chain: return "chain";
    case plan_kind::specialists: return "specialists";
    case plan_kind::critic: return "critic";
  }
  return "single";
}

std::optional<plan_kind> plan_kind_from(std::string_view name) {
  for (auto k : {plan_kind::single, plan_kind::chain, plan_kind::specialists,
                 plan_kind::critic})
    if (to_string(k) == name)
      return k;
  return std::nullopt;
}

std::vector<std::string> default_roles(task_type type) {
  if (is_code(type))
    return {"research", "implementation", "review"};
  return {"research", "analysis", "review"};
}

plan_kind plan_kind_for(const plan_request& r) noexcept {
  if (r.requested)
    return *r.requested;
  if (r.agent_turn || r.ensemble_requested)
    return plan_kind::single;
  switch (r.tier) {
    case complexity_tier::simple: return plan_kind::single;
    case complexity_tier::moderate: return plan_kind::chain;
    case complexity_tier::complex: return plan_kind::specialists;
    case complexity_tier::critical: return plan_kind::critic;
  }
  return plan_kind::single;
}

execution_plan build_plan(const plan_request& r) {
  auto kind = plan_kind_for(r);
  execution_plan p;
  p.kind = kind;
  switch (kind) {
    case plan_kind::single:
      p.steps.push_back(step("answer", r.tier, false, true));
      break;
    case plan_kind::chain:
      p.steps.push_back(step("planner", complexity_tier::simple, false, false));
      p.steps.push_back(step("executor", r.tier, false, true));
      break;
    case plan_kind::specialists:
    case plan_kind::critic: {
      auto roles = r.roles.empty()
                     ? default_roles(r.type)
                     : std::vector<std::string>(r.roles.begin(), r.roles.end());
      for (auto& role : roles)
        p.steps.push_back(step(std::move(role), r.tier, true, false));
      p.steps.push_back(step("synthesis", r.tier, false, true));
      if (kind == plan_kind::critic) {
        p.steps.push_back(step("critic", r.tier, false, false));
        p.max_revisions = r.max_revisions;
      }
      break;
    }
  }
  return p;
}

fitted_plan fit_to_budget(const execution_plan& plan,
                          std::span<const usd_nanos> worst_case,
                          usd_nanos left) {
  fitted_plan out{plan, {}, {}};
  std::vector<usd_nanos> costs(worst_case.begin(), worst_case.end());
  costs.resize(out.plan.steps.size(), 0);
  auto fits = [&] {
    return worst_total(out.plan, costs) <= left;
  };
  // Fewer revision rounds, then no critic at all.
  while (!fits() && out.plan.kind == plan_kind::critic
         && out.plan.max_revisions > 0) {
    --out.plan.max_revisions;
    out.dropped.push_back("revision");
  }
  if (!fits() && out.plan.kind == plan_kind::critic) {
    for (std::size_t i = out.plan.steps.size(); i-- > 0;)
      if (out.plan.steps[i].role == "critic")
        drop(out, costs, i);
    out.plan.kind = plan_kind::specialists;
  }
  // Then specialists from the last; one stays.
  auto specialists = [&] {
    return std::count_if(out.plan.steps.begin(), out.plan.steps.end(),
                         [](const plan_step& s) {
                           return s.specialist;
                         });
  };
  while (!fits() && specialists() > 1) {
    for (std::size_t i = out.plan.steps.size(); i-- > 0;)
      if (out.plan.steps[i].specialist) {
        drop(out, costs, i);
        break;
      }
  }
  if (!fits())
    out.refusal = "the budget left (" + format_usd(nanos_to_usd(left))
                  + ") cannot cover the " + std::string{to_string(plan.kind)}
                  + " plan even at its shortest ("
                  + format_usd(nanos_to_usd(worst_total(out.plan, costs)))
                  + " at worst)";
  return out;
}

bool wants_revision(const execution_plan& plan, std::uint32_t revisions_done,
                    double score, double threshold) noexcept {
  return plan.kind == plan_kind::critic && revisions_done < plan.max_revisions
         && score < threshold;
}

} // namespace switchyard::engine
