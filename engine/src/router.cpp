#include "switchyard/engine/router.hpp"

#include "switchyard/engine/ensemble_deadline.hpp"
#include "switchyard/engine/wire_support.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace switchyard::engine {

namespace {

/// What the judge reads (the task, every member's answer, its instructions)
/// and writes (a verdict with a short reason).
constexpr std::uint32_t judge_instruction_tokens = 200;
constexpr std::uint32_t judge_output_tokens = 256;

constexpr std::size_t max_fallbacks = 3;
constexpr std::size_t ensemble_size = 3;

double clamp01(double x) noexcept {
  return std::clamp(x, 0.0, 1.0);
}

bool contains(std::span<const std::uint16_t> xs, std::uint16_t x) noexcept {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

bool contains(const std::vector<std::uint16_t>& xs, std::uint16_t x) noexcept {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

/// Points for a position in an ordered preference list: the first entry gets
/// the full `max`, the last `max / n`.
double list_points(std::size_t pos, std::size_t n, double max) noexcept {
  return max * static_cast<double>(n - pos) / static_cast<double>(n);
}

/// Everything the selection steps share.
struct selection_context {
  const registry& reg;
  const route_request& req;
  decision& out;
};

/// The "smallest" of two capable candidates: cheaper first, then the smaller
/// model (lower prior), then the higher score.
bool smaller(const registry& reg, const candidate& a, const candidate& b) {
  if (a.cost.expected != b.cost.expected)
    return a.cost.expected < b.cost.expected;
  auto qa = reg.models[a.model].quality;
  auto qb = reg.models[b.model].quality;
  if (qa != qb)
    return qa < qb;
  if (a.total != b.total)
    return a.total > b.total;
  return a.model < b.model;
}

/// gain_per_cost and utility: expected value in USD, `price` * predicted
/// quality - expected cost (the registry's estimate, or under utility the
/// learned one), and the comparison by it (ties: the smaller). An infinite
/// price (a requirement of 1) compares predicted quality alone.
bool more_value(const registry& reg, double price, bool learned_cost,
                const candidate& a, const candidate& b) {
  if (std::isinf(price)) {
    if (a.predicted_quality != b.predicted_quality)
      return a.predicted_quality > b.predicted_quality;
    return smaller(reg, a, b);
  }
  auto cost = [&](const candidate& c) {
    return learned_cost ? c.predicted_cost_usd : nanos_to_usd(c.cost.expected);
  };
  auto va = price * a.predicted_quality - cost(a);
  auto vb = price * b.predicted_quality - cost(b);
  if (va != vb)
    return va > vb;
  return smaller(reg, a, b);
}

/// Stronger: higher predicted quality, then the higher score.
bool stronger(const candidate& a, const candidate& b) {
  if (a.predicted_quality != b.predicted_quality)
    return a.predicted_quality > b.predicted_quality;
  if (a.total != b.total)
    return a.total > b.total;
  return a.model < b.model;
}

template <class Pred, class Less>
const candidate* best_of(const std::vector<candidate>& cs, Pred&& pred,
                         Less&& less) {
  const candidate* best = nullptr;
  for (const auto& c : cs)
    if (pred(c) && (best == nullptr || less(c, *best)))
      best = &c;
  return best;
}

/// How a fallback chain is ordered: the way its primary was chosen.
enum class fallback_order { by_score, by_size, preferred_then_score };

/// Up to 3 fallbacks, capable models first and providers not yet used first,
/// so one provider's outage cannot take out the whole chain. A chain behind a
/// smallest-capable primary stays small (cheapest first); one behind a
/// preferred model follows the rest of the list. A local primary keeps a
/// commercial model in the chain when cloud fallback is allowed: that is
/// where escalation goes.
void pick_fallbacks(selection_context& ctx, bool relaxed,
                    fallback_order order = fallback_order::by_score) {
  auto& out = ctx.out;
  const auto& reg = ctx.reg;
  auto taken = [&](std::uint16_t m) {
    return m == out.model || contains(out.fallbacks, m)
           || contains(out.ensemble.members, m)
           || (out.ensemble.has_judge && out.ensemble.judge == m);
  };
  auto provider_used = [&](std::uint16_t provider) {
    if (reg.models[out.model].provider_index == provider)
      return true;
    for (auto f : out.fallbacks)
      if (reg.models[f].provider_index == provider)
        return true;
    return false;
  };
  bool local_primary = reg.models[out.model].local;
  auto allowed = [&](const candidate& c) {
    if (taken(c.model))
      return false;
    if (local_primary && !reg.models[c.model].local
        && !reg.policy.allow_cloud_fallback)
      return false;
    return relaxed || c.capable;
  };
  auto full = [&] { return out.fallbacks.size() >= max_fallbacks; };
  // A local primary is followed by other local models until escalation
  // would send the task to the cloud anyway: smallest first.
  if (local_primary && !relaxed) {
    auto locals_before_escalation
      = reg.policy.escalate_after_local_failures > 0
          ? reg.policy.escalate_after_local_failures - 1
          : 0;
    for (std::uint32_t k = 0; k < locals_before_escalation && !full(); ++k) {
      auto next = best_of(out.candidates,
                          [&](const candidate& c) {
                            return reg.models[c.model].local && allowed(c);
                          },
                          [&](const candidate& a, const candidate& b) {
                            return smaller(reg, a, b);
                          });
      if (next == nullptr)
        break;
      out.fallbacks.push_back(next->model);
    }
  }
  if (order == fallback_order::preferred_then_score) {
    const auto& prefs
      = reg.preferences[static_cast<std::size_t>(out.cls.type)].preferred;
    for (auto m : prefs) {
      auto c = out.find_candidate(m);
      if (!full() && c != nullptr && allowed(*c)
          && !provider_used(reg.models[m].provider_index))
        out.fallbacks.push_back(m);
    }
  }
  for (int pass = 0; pass < 2 && !full(); ++pass) {
    auto eligible = [&](const candidate& c) {
      return allowed(c)
             && (pass == 1
                 || !provider_used(reg.models[c.model].provider_index));
    };
    if (order == fallback_order::by_size) {
      while (!full()) {
        auto next = best_of(out.candidates, eligible,
                            [&](const candidate& a, const candidate& b) {
                              return smaller(reg, a, b);
                            });
        if (next == nullptr)
          break;
        out.fallbacks.push_back(next->model);
      }
    } else {
      for (const auto& c : out.candidates)
        if (!full() && eligible(c))
          out.fallbacks.push_back(c.model);
    }
  }
  if (local_primary && reg.policy.allow_cloud_fallback) {
    auto has_cloud = std::any_of(out.fallbacks.begin(), out.fallbacks.end(),
                                 [&](auto f) { return !reg.models[f].local; });
    if (!has_cloud) {
      auto cloud = best_of(out.candidates,
                           [&](const candidate& c) {
                             return !reg.models[c.model].local && allowed(c);
                           },
                           [&](const candidate& a, const candidate& b) {
                             return smaller(reg, a, b);
                           });
      if (cloud != nullptr) {
        if (full())
          out.fallbacks.pop_back();
        out.fallbacks.push_back(cloud->model);
      }
    }
  }
}

/// Three specialists from distinct providers plus a judge outside them, all
/// within the budget cap. Returns false when no such ensemble fits.
bool plan_ensemble(selection_context& ctx, bool relaxed) {
  auto& out = ctx.out;
  const auto& reg = ctx.reg;
  auto strategy = ctx.req.strategy.value_or(reg.policy.default_consensus);
  bool needs_judge = strategy == consensus_strategy::judge;
  token_estimate judge_tokens{
    out.tokens.input + judge_instruction_tokens
      + static_cast<std::uint32_t>(ensemble_size) * out.tokens.output,
    judge_output_tokens};

  // Keep room for the cheapest judge while picking the members.
  usd_nanos judge_reserve = 0;
  if (needs_judge) {
    judge_reserve = std::numeric_limits<usd_nanos>::max();
    for (const auto& c : out.candidates)
      judge_reserve = std::min(judge_reserve,
                               estimate_cost(reg.models[c.model], judge_tokens)
                                 .max);
  }
  auto& members = out.ensemble.members;
  members.clear();
  usd_nanos spent = 0;
  auto provider_taken = [&](const candidate& c) {
    for (auto m : members)
      if (reg.models[m].provider_index == reg.models[c.model].provider_index)
        return true;
    return false;
  };
  auto try_add = [&](const candidate& c, bool distinct) {
    if (members.size() >= ensemble_size || contains(members, c.model))
      return;
    if (distinct && provider_taken(c))
      return;
    if (spent + c.cost.max + judge_reserve > out.budget_cap)
      return;
    members.push_back(c.model);
    spent += c.cost.max;
  };
  // 1: capable models by score, one per provider.
  for (const auto& c : out.candidates)
    if (c.capable || relaxed)
      try_add(c, true);
  // 2: the strongest of the rest, still one per provider.
  if (members.size() < ensemble_size) {
    std::vector<const candidate*> by_quality;
    by_quality.reserve(out.candidates.size());
    for (const auto& c : out.candidates)
      by_quality.push_back(&c);
    std::sort(by_quality.begin(), by_quality.end(),
              [](auto a, auto b) { return stronger(*a, *b); });
    for (auto c : by_quality)
      try_add(*c, true);
    // 3: allow a provider twice rather than run fewer specialists.
    for (auto c : by_quality)
      try_add(*c, false);
  }
  if (members.size() < 2) {
    members.clear();
    return false;
  }
  bool has_judge = false;
  std::uint16_t judge = 0;
  usd_nanos judge_cost = 0;
  if (needs_judge) {
    const candidate* best = nullptr;
    for (const auto& c : out.candidates) {
      if (contains(members, c.model))
        continue;
      auto cost = estimate_cost(reg.models[c.model], judge_tokens).max;
      if (spent + cost > out.budget_cap)
        continue;
      if (best == nullptr || stronger(c, *best)) {
        best = &c;
        judge_cost = cost;
      }
    }
    if (best == nullptr) {
      members.clear();
      return false;
    }
    judge = best->model;
    has_judge = true;
  }
  // Members in score order, strongest first, so the primary is the best one.
  std::sort(members.begin(), members.end(), [&](auto a, auto b) {
    return stronger(*out.find_candidate(a), *out.find_candidate(b));
  });
  std::size_t providers = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    bool seen = false;
    for (std::size_t j = 0; j < i; ++j)
      seen = seen
             || reg.models[members[j]].provider_index
                  == reg.models[members[i]].provider_index;
    providers += seen ? 0 : 1;
  }
  if (members.size() < ensemble_size || providers < ensemble_size)
    out.add_note(decision_note::ensemble_short);
  out.ensemble.has_judge = has_judge;
  out.ensemble.judge = judge;
  out.ensemble.strategy = strategy;
  out.ensemble.max_cost = spent + judge_cost;
  out.parallel = true;
  out.model = members.front();
  out.rule = selection_rule::ensemble;
  return true;
}

} // namespace

void record_inputs(const routing_state& state, task_type type,
                   std::size_t model_count, routing_inputs& out) {
  out.clear();
  out.recorded = true;
  if (state.performance != nullptr) {
    out.performance.resize(model_count);
    for (std::size_t m = 0; m < model_count; ++m)
      if (auto p = state.performance->find(static_cast<std::uint16_t>(m), type))
        out.performance[m] = *p;
  }
  out.breaker_open.assign(state.breaker_open.begin(), state.breaker_open.end());
  out.provider_unavailable.assign(state.provider_unavailable.begin(),
                                  state.provider_unavailable.end());
  out.model_unavailable.assign(state.model_unavailable.begin(),
                               state.model_unavailable.end());
  out.budget_remaining = state.budget_remaining;
  out.provider_share.assign(state.provider_share.begin(),
                            state.provider_share.end());
  out.predicted_success.assign(state.predicted_success.begin(),
                               state.predicted_success.end());
}

routing_state replay_state(const routing_inputs& in, task_type type,
                           std::size_t model_count, performance_table& table) {
  routing_state state;
  if (!in.performance.empty()) {
    table.resize(model_count);
    for (std::size_t m = 0; m < model_count && m < in.performance.size(); ++m)
      table.at(static_cast<std::uint16_t>(m), type) = in.performance[m];
    state.performance = &table;
  }
  state.breaker_open = in.breaker_open;
  state.provider_unavailable = in.provider_unavailable;
  state.model_unavailable = in.model_unavailable;
  state.budget_remaining = in.budget_remaining;
  state.provider_share = in.provider_share;
  state.predicted_success = in.predicted_success;
  return state;
}

double success_price_usd(const routing_policy& policy,
                         double quality_required) noexcept {
  if (!(quality_required < 1.0))
    return std::numeric_limits<double>::infinity();
  if (!(quality_required > 0.0))
    return 0.0;
  return policy.success_value_usd * quality_required
         / (1.0 - quality_required);
}

double predicted_quality(double prior, const model_performance* perf) noexcept {
  if (perf == nullptr)
    return prior;
  auto conf = clamp01(perf->confidence);
  return conf * clamp01(perf->success) + (1.0 - conf) * prior;
}

double predicted_quality(double prior, const model_performance* perf,
                         const success_estimate* predicted) noexcept {
  auto base = predicted_quality(prior, perf);
  if (predicted == nullptr)
    return base;
  auto w = clamp01(predicted->weight);
  return w * clamp01(predicted->probability) + (1.0 - w) * base;
}

void router::route(const route_request& req, const routing_state& state,
                   decision& out, const classification* given) const {
  out.reset();
  const auto& policy = reg_.policy;
  out.config_hash = reg_.config_hash;

  // -- classify and estimate --
  auto input_tokens = estimate_input_tokens(req.text.size(), req.context_tokens);
  if (given != nullptr)
    out.cls = *given;
  else
    out.cls = classifier_.classify({req.text, req.type, req.tier,
                                    req.complexity_score,
                                    req.required.has(capability::vision),
                                    input_tokens});
  out.tokens = {input_tokens,
                estimate_output_tokens(out.cls.tier, out.cls.type, input_tokens,
                                       policy.max_tokens_per_task,
                                       req.max_output_tokens)};
  out.quality_required
    = req.min_quality ? *req.min_quality
                      : policy.quality_by_tier[static_cast<std::size_t>(
                        out.cls.tier)];
  // The caller's budget replaces the per-task default; what is left of the
  // key's, the day's and the global budget caps both.
  auto cap = usd_to_nanos_ceil(req.budget_usd.value_or(policy.max_cost_per_task_usd));
  bool budget_exhausted = false;
  if (state.budget_remaining) {
    budget_exhausted = *state.budget_remaining <= 0;
    cap = std::min(cap, std::max<usd_nanos>(*state.budget_remaining, 0));
  }
  out.budget_cap = std::max<usd_nanos>(cap, 0);
  out.latency_bound_s = req.max_latency_s.value_or(policy.max_latency_per_call_s);
  bool escalate = policy.allow_cloud_fallback
                  && req.local_failures >= policy.escalate_after_local_failures;
  // Under gain_per_cost the tier's requirement is a price, not a floor; a
  // caller's min_quality stays a floor.
  bool by_value = policy.selection == selection_mode::gain_per_cost
                  || policy.selection == selection_mode::utility;
  bool learned_cost = policy.selection == selection_mode::utility;
  auto value_rule = learned_cost ? selection_rule::utility
                                 : selection_rule::gain_per_cost;
  bool quality_is_floor = !by_value || req.min_quality.has_value();
  if (escalate)
    out.add_note(decision_note::escalated);
  if (budget_exhausted)
    out.add_note(decision_note::budget_exhausted);

  // -- filter --
  for (std::size_t i = 0; i < reg_.models.size(); ++i) {
    const auto& m = reg_.models[i];
    auto idx = static_cast<std::uint16_t>(i);
    auto reject = [&](filter_reason r, double value = 0.0, double limit = 0.0,
                      capability_set missing = {}) {
      out.filtered_out.push_back({idx, r, value, limit, missing});
    };
    if (!m.enabled) {
      reject(filter_reason::disabled);
      continue;
    }
    if (m.experimental && !policy.allow_experimental) {
      reject(filter_reason::experimental);
      continue;
    }
    if (contains(req.exclude, idx)) {
      reject(filter_reason::excluded);
      continue;
    }
    if (m.provider_index < state.provider_unavailable.size()
        && state.provider_unavailable[m.provider_index]) {
      reject(filter_reason::unavailable,
             state.provider_unavailable[m.provider_index]);
      continue;
    }
    if (i < state.model_unavailable.size() && state.model_unavailable[i]) {
      reject(filter_reason::unavailable, state.model_unavailable[i]);
      continue;
    }
    if (m.provider_index < state.breaker_open.size()
        && state.breaker_open[m.provider_index]) {
      reject(filter_reason::breaker_open);
      continue;
    }
    if (escalate && m.local) {
      reject(filter_reason::escalated,
             static_cast<double>(req.local_failures),
             static_cast<double>(policy.escalate_after_local_failures));
      continue;
    }
    if (!m.capabilities.covers(req.required)) {
      reject(filter_reason::missing_capability, 0, 0,
             m.capabilities.missing(req.required));
      continue;
    }
    if (auto field = first_unexpressible(reg_.providers[m.provider_index].kind,
                                         req.fields)) {
      reject(filter_reason::cannot_express, static_cast<double>(*field));
      continue;
    }
    auto needed = static_cast<double>(out.tokens.input)
                  + static_cast<double>(out.tokens.output);
    if (needed > static_cast<double>(m.context_window)) {
      reject(filter_reason::context_too_small, needed,
             static_cast<double>(m.context_window));
      continue;
    }
    auto latency = estimate_latency_s(m, out.tokens.output);
    if (latency > out.latency_bound_s) {
      reject(filter_reason::over_latency, latency, out.latency_bound_s);
      continue;
    }
    auto cost = estimate_cost(m, out.tokens);
    if (budget_exhausted && !m.local) {
      reject(filter_reason::budget_exhausted, nanos_to_usd(cost.max), 0.0);
      continue;
    }
    if (cost.max > out.budget_cap) {
      reject(filter_reason::over_budget, nanos_to_usd(cost.max),
             nanos_to_usd(out.budget_cap));
      continue;
    }
    const model_performance* perf
      = state.performance ? state.performance->find(idx, out.cls.type) : nullptr;
    candidate c;
    c.model = idx;
    c.cost = cost;
    c.latency_s = latency;
    c.expected_latency_s = expected_member_latency_s(m, perf, out.tokens.output);
    const success_estimate* predicted
      = idx < state.predicted_success.size() ? &state.predicted_success[idx]
                                             : nullptr;
    c.predicted_quality = predicted_quality(m.quality, perf, predicted);
    c.predicted_cost_usd = predicted != nullptr && std::isfinite(predicted->cost_usd)
                             ? std::max(predicted->cost_usd, 0.0)
                             : nanos_to_usd(cost.expected);
    c.capable = c.predicted_quality + 1e-12 >= out.quality_required;
    if (!c.capable && quality_is_floor)
      out.filtered_out.push_back({idx, filter_reason::below_quality,
                                  c.predicted_quality, out.quality_required,
                                  {}});
    out.candidates.push_back(c);
  }

  // -- score --
  const auto& prefs = reg_.preferences[static_cast<std::size_t>(out.cls.type)];
  bool cost_constrained
    = req.budget_usd.has_value()
      || (state.budget_remaining
          && *state.budget_remaining
               < usd_to_nanos_ceil(policy.max_cost_per_task_usd));
  for (auto& c : out.candidates) {
    const auto& m = reg_.models[c.model];
    const model_performance* perf
      = state.performance ? state.performance->find(c.model, out.cls.type)
                          : nullptr;
    double conf = perf ? clamp01(perf->confidence) : 0.0;
    auto& p = c.points;
    p.quality = factor_points::quality_max * clamp01(c.predicted_quality);
    if (out.budget_cap > 0)
      p.cost = factor_points::cost_max
               * clamp01(1.0
                         - static_cast<double>(c.cost.max)
                             / static_cast<double>(out.budget_cap));
    else
      p.cost = c.cost.max == 0 ? factor_points::cost_max : 0.0;
    double success = perf ? conf * clamp01(perf->success) + (1.0 - conf) * 0.5
                          : 0.5;
    double observed_s = (perf && perf->samples > 0.0)
                          ? conf * perf->latency_ms / 1000.0
                              + (1.0 - conf) * c.latency_s
                          : c.latency_s;
    double latency_score = out.latency_bound_s > 0.0
                             ? clamp01(1.0 - observed_s / out.latency_bound_s)
                             : 0.0;
    p.history = factor_points::history_max
                * (0.7 * success + 0.3 * latency_score);
    p.learned = factor_points::learned_max
                * (perf ? conf * clamp01(perf->feedback_weight)
                            + (1.0 - conf) * 0.5
                        : 0.5);
    p.preference = 0.0;
    for (std::size_t i = 0; i < prefs.preferred.size(); ++i)
      if (prefs.preferred[i] == c.model) {
        p.preference = list_points(i, prefs.preferred.size(),
                                   factor_points::preference_max);
        break;
      }
    if (contains(prefs.budget, c.model))
      p.preference = std::max(p.preference,
                              factor_points::preference_max
                                * (cost_constrained ? 0.5 : 0.2));
    double share = m.provider_index < state.provider_share.size()
                     ? clamp01(state.provider_share[m.provider_index])
                     : 0.0;
    p.diversity = factor_points::diversity_max * (1.0 - share);
    p.vendor = 0.0;
    const auto& vendors = policy.preferred_vendors;
    for (std::size_t i = 0; i < vendors.size(); ++i)
      if (vendors[i] == m.provider) {
        p.vendor = list_points(i, vendors.size(), factor_points::vendor_max);
        break;
      }
    c.total = p.total();
  }
  std::sort(out.candidates.begin(), out.candidates.end(),
            [](const candidate& a, const candidate& b) {
              if (a.total != b.total)
                return a.total > b.total;
              return a.model < b.model;
            });

  // -- select --
  selection_context ctx{reg_, req, out};
  if (!req.force_model.empty()) {
    auto idx = reg_.model_index(req.force_model);
    if (!idx) {
      out.add_note(decision_note::unknown_forced_model);
      return;
    }
    for (const auto& f : out.filtered_out)
      if (f.model == *idx && f.reason == filter_reason::unavailable) {
        // Nothing can answer for it: say why (the missing key variable).
        out.add_note(decision_note::forced_unavailable);
        out.model = *idx;
        return;
      }
    for (const auto& f : out.filtered_out)
      if (f.model == *idx
          && (f.reason == filter_reason::missing_capability
              || f.reason == filter_reason::cannot_express)) {
        // Sending it without the field would drop it silently. `model`
        // names the refused model (the rule stays none).
        out.add_note(decision_note::forced_cannot_express);
        out.model = *idx;
        return;
      }
    out.model = *idx;
    out.rule = selection_rule::forced;
    if (out.find_candidate(*idx) == nullptr)
      out.add_note(decision_note::forced_despite_filter);
    pick_fallbacks(ctx, false);
    return;
  }
  if (!req.sticky_model.empty()) {
    auto idx = reg_.model_index(req.sticky_model);
    auto c = idx ? out.find_candidate(*idx) : nullptr;
    if (c != nullptr) {
      out.model = c->model;
      out.rule = selection_rule::agent_loop;
      pick_fallbacks(ctx, true, fallback_order::by_score);
      return;
    }
    out.add_note(decision_note::agent_loop_moved);
  }
  if (out.candidates.empty()) {
    out.add_note(decision_note::no_candidates);
    if (budget_exhausted)
      out.add_note(decision_note::no_local_model);
    return;
  }
  auto any_capable = std::any_of(out.candidates.begin(), out.candidates.end(),
                                 [](const candidate& c) { return c.capable; });
  bool relaxed = false;
  if (!any_capable) {
    if (req.min_quality) {
      out.add_note(decision_note::quality_unmet);
      return;
    }
    relaxed = true;
    if (quality_is_floor)
      out.add_note(decision_note::quality_relaxed);
  }
  auto capable = [&](const candidate& c) { return relaxed || c.capable; };
  auto choose = [&](const candidate* c, selection_rule rule) {
    if (c == nullptr)
      return false;
    out.model = c->model;
    out.rule = rule;
    auto order = fallback_order::by_score;
    if (rule == selection_rule::local_first
        || rule == selection_rule::smallest_capable
        || rule == selection_rule::gain_per_cost
        || rule == selection_rule::utility
        || rule == selection_rule::budget_local)
      order = fallback_order::by_size;
    else if (rule == selection_rule::preferred)
      order = fallback_order::preferred_then_score;
    pick_fallbacks(ctx, relaxed || !quality_is_floor, order);
    return true;
  };
  auto smaller_than = [&](const candidate& a, const candidate& b) {
    return smaller(reg_, a, b);
  };
  auto price = success_price_usd(policy, out.quality_required);
  auto more_value_than = [&](const candidate& a, const candidate& b) {
    return more_value(reg_, price, learned_cost, a, b);
  };
  // The candidates gain_per_cost weighs: all of them unless the caller set a
  // floor.
  auto weighed = [&](const candidate& c) {
    return !quality_is_floor || capable(c);
  };

  if (budget_exhausted) {
    // Only local models survived the filter.
    auto best = relaxed ? best_of(out.candidates, capable, stronger)
                        : best_of(out.candidates, capable, smaller_than);
    choose(best, selection_rule::budget_local);
    return;
  }
  if (relaxed) {
    if (by_value)
      choose(best_of(out.candidates, capable, more_value_than), value_rule);
    else
      choose(best_of(out.candidates, capable, stronger),
             selection_rule::best_available);
    return;
  }
  bool wants_parallel
    = !req.plan_step
      && (req.parallel || out.cls.tier == complexity_tier::critical
          || out.quality_required >= policy.parallel_quality_threshold);
  if (wants_parallel) {
    if (plan_ensemble(ctx, relaxed)) {
      // Hedging: proceed at a quorum or a deadline, not at the slowest
      // member (DESIGN.md "Execution plans").
      out.ensemble.quorum = ensemble_quorum(policy, out.ensemble.members.size());
      out.ensemble.deadline_ms = ensemble_deadline_ms(
        reg_, out.ensemble.members, out.cls.type, out.tokens.output,
        state.performance);
      pick_fallbacks(ctx, relaxed);
      return;
    }
    if (req.parallel || out.cls.tier == complexity_tier::critical)
      out.add_note(decision_note::ensemble_unaffordable);
  }
  if (policy.prefer_local && out.cls.score <= 3
      && choose(best_of(out.candidates,
                        [&](const candidate& c) {
                          return c.capable && reg_.models[c.model].local;
                        },
                        smaller_than),
                selection_rule::local_first))
    return;
  if (out.cls.score >= 7 && out.cls.type == task_type::reasoning
      && choose(best_of(out.candidates,
                        [&](const candidate& c) {
                          return c.capable
                                 && reg_.models[c.model].capabilities.has(
                                   capability::reasoning);
                        },
                        stronger),
                selection_rule::top_reasoning))
    return;
  for (auto m : prefs.preferred) {
    auto c = out.find_candidate(m);
    if (c != nullptr && c->capable) {
      choose(c, selection_rule::preferred);
      return;
    }
  }
  if (by_value)
    choose(best_of(out.candidates, weighed, more_value_than), value_rule);
  else
    choose(best_of(out.candidates, capable, smaller_than),
           selection_rule::smallest_capable);
}

} // namespace switchyard::engine
