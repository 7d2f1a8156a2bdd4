#include "switchyard/engine/evidence.hpp"

#include "switchyard/engine/decay.hpp"

#include <algorithm>

namespace switchyard::engine {

evidence evidence::decayed_to(double now_s, double half_life_s) const noexcept {
  if (now_s <= as_of_s)
    return *this;
  auto k = decay_factor(now_s - as_of_s, half_life_s);
  evidence e;
  e.calls = calls * k;
  e.successes = successes * k;
  e.latency_ms_sum = latency_ms_sum * k;
  e.cost_nanos_sum = cost_nanos_sum * k;
  e.feedback_count = feedback_count * k;
  e.feedback_sum = feedback_sum * k;
  e.as_of_s = now_s;
  return e;
}

void evidence::merge(const evidence& other, double half_life_s) noexcept {
  auto at = std::max(as_of_s, other.as_of_s);
  auto a = decayed_to(at, half_life_s);
  auto b = other.decayed_to(at, half_life_s);
  calls = a.calls + b.calls;
  successes = a.successes + b.successes;
  latency_ms_sum = a.latency_ms_sum + b.latency_ms_sum;
  cost_nanos_sum = a.cost_nanos_sum + b.cost_nanos_sum;
  feedback_count = a.feedback_count + b.feedback_count;
  feedback_sum = a.feedback_sum + b.feedback_sum;
  as_of_s = at;
}

evidence outcome_evidence(bool success, double latency_ms, double cost_nanos,
                          double now_s) noexcept {
  evidence e;
  e.calls = 1.0;
  e.successes = success ? 1.0 : 0.0;
  e.latency_ms_sum = latency_ms;
  e.cost_nanos_sum = cost_nanos;
  e.as_of_s = now_s;
  return e;
}

evidence feedback_evidence(double score, double now_s) noexcept {
  evidence e;
  e.feedback_count = 1.0;
  e.feedback_sum = std::clamp(score, 0.0, 1.0);
  e.as_of_s = now_s;
  return e;
}

model_performance blend(const model_performance& local, const evidence& remote,
                        double now_s, const learning_params& p) noexcept {
  auto r = remote.decayed_to(now_s, p.half_life_s);
  auto n_remote = r.calls + r.feedback_count;
  if (n_remote <= 0.0)
    return local;
  // The remote side read the way view_of reads a cell: feedback gets at
  // least three quarters of the weight once there is any.
  double success = r.calls > 0.0 ? r.successes / r.calls : 0.5;
  double feedback = 0.5;
  if (r.feedback_count > 0.0) {
    feedback = r.feedback_sum / r.feedback_count;
    double w = std::max(0.75, r.feedback_count / n_remote);
    success = w * feedback + (1.0 - w) * success;
  }
  auto n_local = std::max(local.samples, 0.0);
  auto n = n_local + n_remote;
  model_performance v;
  v.samples = n;
  v.confidence = n / (n + p.confidence_half_samples);
  v.success = (local.success * n_local + success * n_remote) / n;
  v.feedback_weight = (local.feedback_weight * n_local + feedback * n_remote) / n;
  if (r.calls > 0.0) {
    auto remote_latency = r.latency_ms_sum / r.calls;
    v.latency_ms = local.latency_ms > 0.0
                     ? (local.latency_ms * n_local + remote_latency * r.calls)
                         / (n_local + r.calls)
                     : remote_latency;
  } else {
    v.latency_ms = local.latency_ms;
  }
  return v;
}

bool replicated_evidence::apply(const origin_total& t) {
  auto& cell = origins_[t.origin][{t.entry.model, t.entry.type}];
  if (t.version <= cell.version)
    return false;
  cell.version = t.version;
  cell.sums = t.entry.sums;
  auto& next = next_version_[t.origin];
  next = std::max(next, t.version);
  return true;
}

replicated_evidence::origin_total
replicated_evidence::add_local(const std::string& origin,
                               const evidence_entry& delta,
                               double half_life_s) {
  auto& cell = origins_[origin][{delta.model, delta.type}];
  cell.sums.merge(delta.sums, half_life_s);
  cell.version = ++next_version_[origin];
  return {origin, cell.version, {delta.model, delta.type, cell.sums}};
}

std::vector<evidence_entry>
replicated_evidence::remote_sums(const std::string& self_origin,
                                 double half_life_s) const {
  std::map<cell_key, evidence> sums;
  for (const auto& [origin, cells] : origins_) {
    if (origin == self_origin)
      continue;
    for (const auto& [key, v] : cells)
      sums[key].merge(v.sums, half_life_s);
  }
  std::vector<evidence_entry> out;
  out.reserve(sums.size());
  for (auto& [key, e] : sums)
    out.push_back({key.first, key.second, e});
  return out;
}

std::vector<replicated_evidence::origin_total>
replicated_evidence::all() const {
  std::vector<origin_total> out;
  for (const auto& [origin, cells] : origins_)
    for (const auto& [key, v] : cells)
      out.push_back({origin, v.version, {key.first, key.second, v.sums}});
  return out;
}

} // namespace switchyard::engine
