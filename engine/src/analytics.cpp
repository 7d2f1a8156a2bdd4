#include "switchyard/engine/analytics.hpp"

#include "switchyard/engine/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

namespace switchyard::engine {

// -- model performance --------------------------------------------------------

std::vector<performance_line>
performance_report(std::span<const learned_entry> cells, double now_s,
                   const learning_params& params) {
  std::vector<performance_line> lines;
  for (const auto& e : cells) {
    const auto& c = e.cell;
    if (!c.success.initialized && !c.feedback.initialized)
      continue;
    auto view = view_of(c, now_s, params);
    performance_line l;
    l.model = e.model;
    l.type = e.type;
    l.success = view.success;
    if (c.success.initialized)
      l.call_success = c.success.value;
    if (c.feedback.initialized)
      l.feedback = c.feedback.value;
    l.latency_ms = c.latency_ms.initialized ? c.latency_ms.value : 0.0;
    l.cost_usd = c.cost_nanos.initialized
                   ? c.cost_nanos.value / static_cast<double>(nanos_per_usd)
                   : 0.0;
    l.samples = view.samples;
    l.confidence = view.confidence;
    lines.push_back(std::move(l));
  }
  std::sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) {
    if (a.type != b.type)
      return a.type < b.type;
    if (a.success != b.success)
      return a.success > b.success;
    return a.model < b.model;
  });
  return lines;
}

// -- costs --------------------------------------------------------------------

std::string utc_date(std::int64_t unix_s) {
  // Howard Hinnant's civil_from_days, for the proleptic Gregorian calendar.
  auto days = unix_s >= 0 ? unix_s / 86400 : (unix_s - 86399) / 86400;
  days += 719468;
  auto era = (days >= 0 ? days : days - 146096) / 146097;
  auto doe = days - era * 146097;
  auto yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  auto y = yoe + era * 400;
  auto doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  auto mp = (5 * doy + 2) / 153;
  auto d = doy - (153 * mp + 2) / 5 + 1;
  auto m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
  char buf[72];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lld",
                static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return buf;
}

namespace {

using spend_map = std::map<std::string, spend_line, std::less<>>;

void add_spend(spend_map& m, const std::string& name, usd_nanos cost,
               std::uint64_t calls) {
  auto& line = m[name];
  line.name = name;
  line.spent += cost;
  line.calls += calls;
}

std::vector<spend_line> most_spent_first(const spend_map& m) {
  std::vector<spend_line> out;
  for (const auto& [name, line] : m)
    out.push_back(line);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.spent > b.spent;
  });
  return out;
}

const model_spec* strongest_model(const registry& reg) {
  const model_spec* best = nullptr;
  for (const auto& m : reg.models) {
    if (!m.enabled || m.experimental)
      continue;
    if (best == nullptr || m.quality > best->quality
        || (m.quality == best->quality
            && m.cost_per_1k_output > best->cost_per_1k_output))
      best = &m;
  }
  return best;
}

usd_nanos price(const model_spec& m, std::uint32_t input, std::uint32_t output) {
  double usd = static_cast<double>(input) / 1000.0 * m.cost_per_1k_input
               + static_cast<double>(output) / 1000.0 * m.cost_per_1k_output;
  return static_cast<usd_nanos>(std::llround(usd * static_cast<double>(nanos_per_usd)));
}

} // namespace

cost_report cost_analysis(std::span<const task_summary> tasks,
                          const registry& reg) {
  cost_report r;
  spend_map models, providers, keys, days;
  auto best = strongest_model(reg);
  if (best != nullptr)
    r.always_best_model = best->id;
  for (const auto& t : tasks) {
    ++r.tasks;
    usd_nanos task_cost = 0;
    for (const auto& a : t.attempts) {
      ++r.calls;
      task_cost += a.cost;
      add_spend(models, a.model, a.cost, 1);
      add_spend(providers, a.provider, a.cost, 1);
    }
    r.total += task_cost;
    add_spend(keys, t.budget_key.empty() ? "(none)" : t.budget_key, task_cost,
              t.attempts.size());
    add_spend(days, utc_date(t.created_unix_s), task_cost, t.attempts.size());
    if (!t.answered_by.empty()) {
      ++r.answered_tasks;
      r.answered_total += task_cost;
      if (best != nullptr)
        r.always_best += price(*best, t.input_tokens, t.output_tokens);
    }
  }
  r.by_model = most_spent_first(models);
  r.by_provider = most_spent_first(providers);
  r.by_key = most_spent_first(keys);
  for (const auto& [day, line] : days)
    r.by_day.push_back(line);
  return r;
}

spend_series spend_over_time(std::span<const task_summary> tasks,
                             const registry& reg, std::int64_t from_s,
                             std::int64_t to_s, std::int64_t bucket_s) {
  spend_series out;
  out.bucket_s = std::max<std::int64_t>(bucket_s, 1);
  auto first = from_s - ((from_s % out.bucket_s) + out.bucket_s) % out.bucket_s;
  for (auto t = first; t <= to_s; t += out.bucket_s)
    out.starts.push_back(t);
  auto n = out.starts.size();
  out.total.assign(n, 0);
  out.always_best.assign(n, 0);
  out.answered.assign(n, 0);
  auto best = strongest_model(reg);
  if (best != nullptr)
    out.always_best_model = best->id;
  std::map<std::string, std::vector<usd_nanos>, std::less<>> models, providers;
  spend_map keys;
  for (const auto& t : tasks) {
    if (t.created_unix_s < from_s || t.created_unix_s > to_s || n == 0)
      continue;
    auto b = static_cast<std::size_t>((t.created_unix_s - first) / out.bucket_s);
    usd_nanos task_cost = 0;
    for (const auto& a : t.attempts) {
      task_cost += a.cost;
      auto& m = models[a.model];
      m.resize(n, 0);
      m[b] += a.cost;
      auto& p = providers[a.provider];
      p.resize(n, 0);
      p[b] += a.cost;
    }
    out.total[b] += task_cost;
    add_spend(keys, t.budget_key.empty() ? "(none)" : t.budget_key, task_cost,
              t.attempts.size());
    if (!t.answered_by.empty()) {
      out.answered[b] += task_cost;
      if (best != nullptr)
        out.always_best[b] += price(*best, t.input_tokens, t.output_tokens);
    }
  }
  auto to_lines = [](auto& m) {
    std::vector<spend_series::line> lines;
    for (auto& [name, spent] : m)
      lines.push_back({name, std::move(spent)});
    auto sum = [](const spend_series::line& l) {
      usd_nanos s = 0;
      for (auto v : l.spent)
        s += v;
      return s;
    };
    std::stable_sort(lines.begin(), lines.end(),
                     [&](const auto& a, const auto& b) {
                       return sum(a) > sum(b);
                     });
    return lines;
  };
  out.by_model = to_lines(models);
  out.by_provider = to_lines(providers);
  out.by_key = most_spent_first(keys);
  return out;
}

// -- recommendations ----------------------------------------------------------

namespace {

struct model_record {
  sample_tally calls;    ///< 0/1 per call
  sample_tally feedback; ///< 0-1 per answered task with feedback
  usd_nanos cost = 0;
};

std::string percent(double share) {
  char buf[32];
  if (share < 0.01)
    return "<1%";
  std::snprintf(buf, sizeof(buf), "%.0f%%", share * 100.0);
  return buf;
}

std::string thousands(std::uint64_t n) {
  auto digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

} // namespace

std::vector<recommendation> recommend(std::span<const task_summary> tasks,
                                      const recommendation_params& params) {
  // Per task type, per model.
  std::map<task_type, std::map<std::string, model_record>> by_type;
  for (const auto& t : tasks) {
    auto& models = by_type[t.type];
    for (const auto& a : t.attempts) {
      auto& rec = models[a.model];
      rec.calls.add(a.success ? 1.0 : 0.0);
      rec.cost += a.cost;
    }
    if (!t.answered_by.empty() && t.feedback)
      models[t.answered_by].feedback.add(std::clamp(*t.feedback, 0.0, 1.0));
  }
  constexpr double z95_one_sided = 1.6448536269514722;
  std::vector<recommendation> out;
  for (const auto& [type, models] : by_type) {
    std::optional<recommendation> best;
    for (const auto& [ref_name, ref] : models) {
      if (ref.calls.n < params.min_calls || ref.cost <= 0)
        continue;
      double ref_cost = static_cast<double>(ref.cost)
                        / static_cast<double>(ref.calls.n);
      for (const auto& [name, rec] : models) {
        if (name == ref_name || rec.calls.n < params.min_calls)
          continue;
        double cost = static_cast<double>(rec.cost)
                      / static_cast<double>(rec.calls.n);
        double share = cost / ref_cost;
        if (share > params.max_cost_share)
          continue;
        bool use_feedback = rec.feedback.n >= params.min_calls
                            && ref.feedback.n >= params.min_calls;
        const auto& a = use_feedback ? rec.feedback : rec.calls;
        const auto& b = use_feedback ? ref.feedback : ref.calls;
        auto se = std::sqrt(a.variance() / static_cast<double>(a.n)
                            + b.variance() / static_cast<double>(b.n));
        auto lower = a.mean() - b.mean() - z95_one_sided * se;
        if (lower < -params.margin)
          continue;
        if (best && share >= best->cost_share)
          continue;
        recommendation r;
        r.type = type;
        r.model = name;
        r.instead_of = ref_name;
        r.metric = use_feedback ? "feedback" : "call success";
        r.success = a.mean();
        r.reference_success = b.mean();
        r.cost_share = share;
        r.sample = rec.calls.n + ref.calls.n;
        best = std::move(r);
      }
    }
    if (!best)
      continue;
    auto& r = *best;
    r.text = std::string{to_string(type)} + ": " + r.model + " matches "
             + r.instead_of + "'s " + (r.metric == "feedback" ? "feedback" : "success")
             + " (" + percent(r.success) + " vs "
             + percent(r.reference_success) + ") at "
             + percent(r.cost_share) + " of the cost over "
             + thousands(r.sample) + " tasks";
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace switchyard::engine
