#include "switchyard/engine/availability_tracker.hpp"

#include <algorithm>

namespace switchyard::engine {

namespace {

constexpr auto code(unavailability u) noexcept {
  return static_cast<std::uint8_t>(u);
}

} // namespace

availability_tracker::availability_tracker(const registry& reg)
  : local_(reg.providers.size()),
    configured_bad_(reg.providers.size(), false),
    failures_(reg.providers.size(), 0),
    served_(reg.providers.size()),
    provider_codes_(reg.providers.size(), 0),
    model_codes_(reg.models.size(), 0) {
  for (std::size_t p = 0; p < reg.providers.size(); ++p) {
    local_[p] = reg.providers[p].local;
    // A local server has to say what it serves before traffic goes there.
    if (local_[p])
      provider_codes_[p] = code(unavailability::not_known_yet);
  }
  models_.reserve(reg.models.size());
  for (const auto& m : reg.models)
    models_.push_back({m.provider_index, m.upstream});
  for (std::size_t p = 0; p < reg.providers.size(); ++p)
    refresh_models(p);
}

void availability_tracker::set_configured(std::size_t provider,
                                          unavailability why) {
  configured_bad_[provider] = why != unavailability::none;
  provider_codes_[provider] = code(why);
  refresh_models(provider);
}

void availability_tracker::assume_available(std::size_t provider) {
  if (configured_bad_[provider])
    return;
  provider_codes_[provider] = 0;
  served_[provider].clear();
  for (const auto& m : models_)
    if (m.provider == provider)
      served_[provider].push_back(m.upstream);
  refresh_models(provider);
}

bool availability_tracker::probed(std::size_t provider,
                                  const probe_policy& policy) const noexcept {
  return policy.enabled && !configured_bad_[provider];
}

bool availability_tracker::on_probe(std::size_t provider,
                                    const probe_result& r) {
  if (configured_bad_[provider])
    return false;
  auto before = provider_codes_[provider];
  auto ok = r.reached && r.http_status >= 200 && r.http_status < 300;
  if (ok) {
    failures_[provider] = 0;
    served_[provider] = r.served;
    provider_codes_[provider] = 0;
  } else {
    ++failures_[provider];
    if (r.http_status == 401 || r.http_status == 403)
      // The key is there but the provider refuses it.
      provider_codes_[provider] = code(unavailability::no_credentials);
    else if (local_[provider])
      provider_codes_[provider] = code(unavailability::unreachable);
    // A commercial provider that fails a probe stays routable: its circuit
    // breaker hears of the failure and decides, as for a failed call.
  }
  bool changed = before != provider_codes_[provider];
  return refresh_models(provider) || changed;
}

time_point availability_tracker::next_probe(std::size_t provider,
                                            const probe_policy& policy,
                                            time_point now,
                                            double unit_random) const noexcept {
  using ms = std::chrono::milliseconds;
  auto wait = policy.interval;
  auto failures = std::min<std::uint32_t>(failures_[provider], 16);
  for (std::uint32_t i = 0; i < failures && wait < policy.max_backoff; ++i)
    wait *= 2;
  wait = std::min(wait, std::max(policy.max_backoff, policy.interval));
  auto spread = static_cast<double>(wait.count()) * policy.jitter
                * (2.0 * std::clamp(unit_random, 0.0, 1.0) - 1.0);
  auto jittered = ms{wait.count() + static_cast<ms::rep>(spread)};
  return now + std::max(jittered, ms{1});
}

bool availability_tracker::serves(const std::vector<std::string>& listing,
                                  std::string_view upstream) noexcept {
  auto without_latest = [](std::string_view s) {
    constexpr std::string_view tag = ":latest";
    if (s.size() > tag.size() && s.substr(s.size() - tag.size()) == tag)
      s.remove_suffix(tag.size());
    return s;
  };
  auto want = without_latest(upstream);
  return std::any_of(listing.begin(), listing.end(), [&](const auto& name) {
    return without_latest(name) == want;
  });
}

bool availability_tracker::refresh_models(std::size_t provider) {
  bool changed = false;
  for (std::size_t m = 0; m < models_.size(); ++m) {
    if (models_[m].provider != provider)
      continue;
    std::uint8_t c = provider_codes_[provider];
    if (c == 0 && local_[provider]
        && !serves(served_[provider], models_[m].upstream))
      c = code(unavailability::not_served);
    changed = changed || model_codes_[m] != c;
    model_codes_[m] = c;
  }
  return changed;
}

} // namespace switchyard::engine
