#include "switchyard/engine/experiment.hpp"

#include <algorithm>

namespace switchyard::engine {

namespace {

/// SplitMix64's finaliser (Steele, Lea, Flood 2014): a bijection that mixes
/// every input bit into every output bit.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

constexpr std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

} // namespace

std::optional<std::size_t> assign_arm(const experiment_spec& spec,
                                      std::uint64_t key) noexcept {
  if (spec.arms.empty())
    return std::nullopt;
  auto h = mix64(mix64(spec.seed ^ fnv1a(spec.id)) ^ key);
  // The low 32 bits decide participation, the high 32 bits the arm, so the
  // two choices are independent.
  auto share = std::clamp(spec.traffic_share, 0.0, 1.0);
  auto participation = static_cast<double>(h & 0xffffffffu) / 4294967296.0;
  if (participation >= share)
    return std::nullopt;
  return static_cast<std::size_t>((h >> 32) % spec.arms.size());
}

std::string validate_experiment(const experiment_spec& spec,
                                const registry& reg) {
  if (spec.id.empty())
    return "an experiment needs an id";
  if (spec.arms.size() < 2)
    return "experiment '" + spec.id + "' needs at least two arms";
  for (std::size_t i = 0; i < spec.arms.size(); ++i) {
    const auto& arm = spec.arms[i];
    if (arm.name.empty())
      return "experiment '" + spec.id + "': arm " + std::to_string(i + 1)
             + " has no name";
    for (std::size_t j = 0; j < i; ++j)
      if (spec.arms[j].name == arm.name)
        return "experiment '" + spec.id + "': two arms are named '" + arm.name
               + "'";
    if (!arm.model.empty()) {
      auto m = reg.find_model(arm.model);
      if (m == nullptr)
        return "experiment '" + spec.id + "': arm '" + arm.name
               + "' names model '" + arm.model + "', which is not in the "
               + "registry";
      if (!m->enabled)
        return "experiment '" + spec.id + "': model '" + arm.model
               + "' is disabled in the registry";
    }
  }
  if (!(spec.traffic_share > 0.0 && spec.traffic_share <= 1.0))
    return "experiment '" + spec.id + "': traffic share must be in (0, 1]";
  if (!(spec.significance > 0.0 && spec.significance <= 0.5))
    return "experiment '" + spec.id + "': significance must be in (0, 0.5]";
  if (spec.min_samples_per_arm < 2)
    return "experiment '" + spec.id
           + "': the minimum sample per arm must be at least 2";
  return {};
}

experiment_result evaluate_experiment(const experiment_spec& spec,
                                      std::span<const sample_tally> arms) {
  experiment_result r;
  auto k = std::min(spec.arms.size(), arms.size());
  r.versus_leader.resize(k);
  if (k < 2)
    return r;
  for (std::size_t i = 1; i < k; ++i)
    if (arms[i].mean() > arms[r.leader].mean())
      r.leader = i;
  r.threshold = spec.significance / static_cast<double>(k - 1);
  bool enough = true;
  for (std::size_t i = 0; i < k; ++i)
    enough = enough && arms[i].n >= spec.min_samples_per_arm;
  r.p_value = 0.0;
  bool beats_all = true;
  for (std::size_t i = 0; i < k; ++i) {
    if (i == r.leader)
      continue;
    auto cmp = spec.metric == experiment_metric::success
                 ? two_proportion_z_test(arms[r.leader], arms[i])
                 : welch_t_test(arms[r.leader], arms[i]);
    r.versus_leader[i] = cmp;
    r.p_value = std::max(r.p_value, cmp.p_value);
    beats_all = beats_all && cmp.difference > 0.0
                && cmp.p_value < r.threshold;
  }
  if (!enough)
    r.verdict = experiment_verdict::collecting;
  else if (beats_all)
    r.verdict = experiment_verdict::winner;
  else
    r.verdict = experiment_verdict::no_difference;
  return r;
}

} // namespace switchyard::engine
