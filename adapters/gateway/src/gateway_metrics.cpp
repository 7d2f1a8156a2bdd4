#include "switchyard/gateway/gateway_metrics.hpp"

#include <cstdio>

namespace switchyard::gateway {

namespace {

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

} // namespace

void latency_histogram::observe(double us) noexcept {
  std::size_t i = 0;
  while (i < bounds_us.size() && us > bounds_us[i])
    ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(us * 1000.0),
                    std::memory_order_relaxed);
}

void latency_histogram::render(std::string& out, std::string_view name,
                               std::string_view labels) const {
  std::uint64_t cumulative = 0;
  auto sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i <= bounds_us.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    auto le = i < bounds_us.size() ? number(bounds_us[i] / 1e6) : "+Inf";
    out += std::string{name} + "_bucket{" + std::string{labels} + sep
           + "le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += std::string{name} + "_sum" + (labels.empty() ? "" : "{")
         + std::string{labels} + (labels.empty() ? "" : "}") + " "
         + number(static_cast<double>(sum_ns_.load()) / 1e9) + "\n";
  out += std::string{name} + "_count" + (labels.empty() ? "" : "{")
         + std::string{labels} + (labels.empty() ? "" : "}") + " "
         + std::to_string(cumulative) + "\n";
}

gateway_metrics::gateway_metrics(const engine::registry& reg)
  : reg_(reg), models_(reg.models.size()) {
}

void gateway_metrics::on_request(std::string_view endpoint, int status) {
  std::lock_guard<std::mutex> guard{mutex_};
  ++requests_[{std::string{endpoint}, status}];
}

void gateway_metrics::on_task(const task_reply& r, double total_us) {
  double upstream_us = 0.0;
  for (const auto& a : r.attempts)
    upstream_us += a.latency_ms * 1000.0;
  // Ensemble members run in parallel: their longest, not their sum.
  if (r.parallel) {
    upstream_us = 0.0;
    for (const auto& a : r.attempts)
      upstream_us = std::max(upstream_us, a.latency_ms * 1000.0);
  }
  if (!r.attempts.empty())
    upstream_.observe(upstream_us);
  added_.observe(std::max(0.0, total_us - upstream_us));
  std::lock_guard<std::mutex> guard{mutex_};
  if (r.parallel)
    ++ensembles_;
  else if (r.attempts.size() > 1)
    fallbacks_ += r.attempts.size() - 1;
  if (r.model < models_.size() && r.ok()) {
    auto& m = models_[r.model];
    ++m.ok;
    m.input_tokens += r.input_tokens;
    m.output_tokens += r.output_tokens;
  }
  for (const auto& a : r.attempts)
    if (a.model < models_.size()) {
      models_[a.model].cost_nanos += a.cost_nanos;
      models_[a.model].retries += a.retries;
      if (a.error != engine::call_error::none)
        ++models_[a.model].failed;
    }
}

void gateway_metrics::on_cancelled() noexcept {
  cancelled_.fetch_add(1, std::memory_order_relaxed);
}

std::string gateway_metrics::render(std::string_view extra) const {
  std::string out;
  out.reserve(8192);
  out += "# HELP switchyard_http_requests_total HTTP requests by endpoint "
         "and status.\n# TYPE switchyard_http_requests_total counter\n";
  std::lock_guard<std::mutex> guard{mutex_};
  for (const auto& [k, n] : requests_)
    out += "switchyard_http_requests_total{endpoint=\"" + k.first
           + "\",status=\"" + std::to_string(k.second) + "\"} "
           + std::to_string(n) + "\n";
  out += "# HELP switchyard_model_requests_total Answers and failed attempts "
         "per model.\n# TYPE switchyard_model_requests_total counter\n";
  for (std::size_t i = 0; i < models_.size(); ++i) {
    const auto& m = models_[i];
    if (m.ok == 0 && m.failed == 0)
      continue;
    auto labels = "model=\"" + reg_.models[i].id + "\",provider=\""
                  + reg_.models[i].provider + "\"";
    out += "switchyard_model_requests_total{" + labels + ",outcome=\"ok\"} "
           + std::to_string(m.ok) + "\n";
    out += "switchyard_model_requests_total{" + labels
           + ",outcome=\"failed\"} " + std::to_string(m.failed) + "\n";
  }
  out += "# HELP switchyard_tokens_total Tokens per model and direction.\n"
         "# TYPE switchyard_tokens_total counter\n";
  for (std::size_t i = 0; i < models_.size(); ++i) {
    const auto& m = models_[i];
    if (m.ok == 0)
      continue;
    auto labels = "model=\"" + reg_.models[i].id + "\",provider=\""
                  + reg_.models[i].provider + "\"";
    out += "switchyard_tokens_total{" + labels + ",direction=\"input\"} "
           + std::to_string(m.input_tokens) + "\n";
    out += "switchyard_tokens_total{" + labels + ",direction=\"output\"} "
           + std::to_string(m.output_tokens) + "\n";
  }
  out += "# HELP switchyard_cost_usd_total Spend per model (usage x price).\n"
         "# TYPE switchyard_cost_usd_total counter\n";
  for (std::size_t i = 0; i < models_.size(); ++i)
    if (models_[i].cost_nanos != 0)
      out += "switchyard_cost_usd_total{model=\"" + reg_.models[i].id
             + "\",provider=\"" + reg_.models[i].provider + "\"} "
             + number(static_cast<double>(models_[i].cost_nanos) / 1e9) + "\n";
  out += "# HELP switchyard_retries_total Calls retried on the same model "
         "(after a retryable error).\n# TYPE switchyard_retries_total counter\n";
  for (std::size_t i = 0; i < models_.size(); ++i)
    if (models_[i].retries != 0)
      out += "switchyard_retries_total{model=\"" + reg_.models[i].id
             + "\",provider=\"" + reg_.models[i].provider + "\"} "
             + std::to_string(models_[i].retries) + "\n";
  out += "# HELP switchyard_requests_cancelled_total Chat requests whose "
         "client disconnected before the answer was complete; their upstream "
         "calls were aborted and their reservations released.\n"
         "# TYPE switchyard_requests_cancelled_total counter\n"
         "switchyard_requests_cancelled_total "
         + std::to_string(cancelled_.load(std::memory_order_relaxed)) + "\n";
  out += "# HELP switchyard_fallbacks_total Attempts after a task's first.\n"
         "# TYPE switchyard_fallbacks_total counter\nswitchyard_fallbacks_total "
         + std::to_string(fallbacks_) + "\n";
  out += "# HELP switchyard_ensembles_total Tasks run as ensembles.\n"
         "# TYPE switchyard_ensembles_total counter\nswitchyard_ensembles_total "
         + std::to_string(ensembles_) + "\n";
  out += "# HELP switchyard_gateway_added_seconds Time a task spent in the "
         "gateway beyond its upstream calls.\n"
         "# TYPE switchyard_gateway_added_seconds histogram\n";
  added_.render(out, "switchyard_gateway_added_seconds", "");
  out += "# HELP switchyard_upstream_seconds Time in upstream calls per "
         "task.\n# TYPE switchyard_upstream_seconds histogram\n";
  upstream_.render(out, "switchyard_upstream_seconds", "");
  out.append(extra);
  return out;
}

std::string gateway_metrics::render_breakers_and_budgets(
  const engine::registry& reg, const std::vector<breaker_change>& breakers,
  const ledger_summary& budgets) {
  std::string out;
  out += "# HELP switchyard_breaker_state Circuit breaker per provider: 0 "
         "closed, 1 open, 2 half-open.\n# TYPE switchyard_breaker_state "
         "gauge\n";
  for (const auto& b : breakers)
    if (b.provider < reg.providers.size())
      out += "switchyard_breaker_state{provider=\""
             + reg.providers[b.provider].id + "\"} "
             + std::to_string(static_cast<int>(b.phase)) + "\n";
  out += "# HELP switchyard_breaker_trips_total Times a provider's breaker "
         "opened.\n# TYPE switchyard_breaker_trips_total counter\n";
  for (const auto& b : breakers)
    if (b.provider < reg.providers.size())
      out += "switchyard_breaker_trips_total{provider=\""
             + reg.providers[b.provider].id + "\"} " + std::to_string(b.trips)
             + "\n";
  auto budget = [&out](std::string_view labels, const budget_status& s) {
    out += "switchyard_budget_spent_usd{" + std::string{labels} + "} "
           + number(static_cast<double>(s.spent_nanos) / 1e9) + "\n";
    out += "switchyard_budget_reserved_usd{" + std::string{labels} + "} "
           + number(static_cast<double>(s.reserved_nanos) / 1e9) + "\n";
    if (s.cap_nanos >= 0) {
      auto left = std::max<std::int64_t>(0, s.cap_nanos - s.spent_nanos
                                              - s.reserved_nanos);
      out += "switchyard_budget_remaining_usd{" + std::string{labels} + "} "
             + number(static_cast<double>(left) / 1e9) + "\n";
    }
  };
  out += "# HELP switchyard_budget_spent_usd Settled spend per budget scope "
         "(global: all days; daily: today UTC; key: the key's lifetime).\n"
         "# TYPE switchyard_budget_spent_usd gauge\n"
         "# HELP switchyard_budget_reserved_usd Worst-case cost reserved by "
         "calls in flight.\n# TYPE switchyard_budget_reserved_usd gauge\n"
         "# HELP switchyard_budget_remaining_usd What is left under a capped "
         "budget.\n# TYPE switchyard_budget_remaining_usd gauge\n";
  budget("scope=\"global\"", budgets.global);
  budget("scope=\"daily\"", budgets.daily);
  for (const auto& k : budgets.keys)
    budget("scope=\"key\",key=\"" + k.key + "\"", k.budget);
  out += "# HELP switchyard_budget_refusals_total Tasks refused by a "
         "budget.\n# TYPE switchyard_budget_refusals_total counter\n"
         "switchyard_budget_refusals_total "
         + std::to_string(budgets.refusals) + "\n";
  return out;
}

} // namespace switchyard::gateway
