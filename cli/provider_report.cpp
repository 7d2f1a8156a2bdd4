#include "provider_report.hpp"

#include "switchyard/config/env_lookup.hpp"
#include "switchyard/engine/availability_tracker.hpp"
#include "switchyard/http/http_client.hpp"
#include "switchyard/http/url.hpp"
#include "switchyard/providers/make_provider_client.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <future>

namespace switchyard::cli {

provider_configuration
check_provider_configuration(const engine::registry& reg,
                             const providers::key_lookup& keys) {
  provider_configuration out;
  out.state.assign(reg.providers.size(), engine::unavailability::none);
  out.why.resize(reg.providers.size());
  for (std::size_t p = 0; p < reg.providers.size(); ++p) {
    const auto& spec = reg.providers[p];
    std::string why;
    if (!http::parse_url(spec.base_url, why)) {
      out.state[p] = engine::unavailability::invalid_config;
      out.why[p] = "base_url is unusable: " + why;
      continue;
    }
    if (spec.api_key_env.empty())
      continue;
    auto key = keys(spec.api_key_env);
    if (!key || key->empty()) {
      out.state[p] = engine::unavailability::no_credentials;
      out.why[p] = "no API key: " + spec.api_key_env + " is not set";
    }
  }
  return out;
}

actors::availability_board::snapshot
probe_providers(const engine::registry& reg, const provider_configuration& cfg) {
  actors::availability_board::snapshot out;
  out.providers.resize(reg.providers.size());
  engine::availability_tracker tracker{reg};
  for (std::size_t p = 0; p < reg.providers.size(); ++p)
    tracker.set_configured(p, cfg.state[p]);
  std::string why;
  http::client_config cc;
  auto client = http::http_client::make(cc, why);
  if (client) {
    auto env = config::process_env();
    providers::key_lookup keys = [&env](std::string_view n) { return env(n); };
    std::vector<std::future<engine::model_listing>> answers(
      reg.providers.size());
    std::vector<engine::provider_client_ptr> clients(reg.providers.size());
    for (std::size_t p = 0; p < reg.providers.size(); ++p) {
      if (cfg.state[p] != engine::unavailability::none)
        continue;
      auto c = providers::make_provider_client(reg.providers[p], reg, *client,
                                               keys);
      if (!c)
        continue;
      clients[p] = *c;
      auto promise = std::make_shared<std::promise<engine::model_listing>>();
      answers[p] = promise->get_future();
      clients[p]->list_models(std::chrono::seconds{3},
                              [promise](engine::model_listing r) {
                                promise->set_value(std::move(r));
                              });
    }
    for (std::size_t p = 0; p < reg.providers.size(); ++p) {
      if (!answers[p].valid())
        continue;
      auto r = answers[p].get();
      tracker.on_probe(p, {r.reached, r.http_status, r.models});
      auto& row = out.providers[p];
      row.probed = true;
      row.probes = 1;
      row.last_status = r.http_status;
      row.last_error = r.reached && r.error_message.empty()
                         ? std::string{}
                         : r.error_message;
      row.served = r.models;
    }
  }
  for (std::size_t p = 0; p < reg.providers.size(); ++p)
    out.providers[p].state = tracker.provider(p);
  out.models = tracker.models();
  return out;
}

namespace {

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width)
    s.append(width - s.size(), ' ');
  return s;
}

std::string reachability(std::size_t p, const provider_configuration& cfg,
                         const actors::availability_board::snapshot* probes) {
  if (cfg.state[p] != engine::unavailability::none)
    return "not tried";
  if (probes == nullptr || p >= probes->providers.size())
    return "not probed";
  const auto& row = probes->providers[p];
  if (!row.probed)
    return "not probed";
  if (row.probes == 0)
    return "no answer yet";
  if (row.last_status >= 200 && row.last_status < 300)
    return "yes";
  if (row.last_status != 0)
    return "HTTP " + std::to_string(row.last_status);
  return "no";
}

/// Why model `m` cannot be routed, or "" when it can.
std::string model_problem(const engine::registry& reg, std::size_t m,
                          const provider_configuration& cfg,
                          const actors::availability_board::snapshot* probes) {
  const auto& model = reg.models[m];
  auto p = model.provider_index;
  if (cfg.state[p] != engine::unavailability::none)
    return "provider '" + reg.providers[p].id + "': " + cfg.why[p];
  if (probes == nullptr || m >= probes->models.size())
    return {};
  auto u = static_cast<engine::unavailability>(probes->models[m]);
  switch (u) {
    case engine::unavailability::none:
      return {};
    case engine::unavailability::not_served:
      return "provider '" + reg.providers[p].id + "' does not serve '"
             + model.upstream + "'";
    case engine::unavailability::unreachable:
      return "provider '" + reg.providers[p].id + "' did not answer ("
             + (p < probes->providers.size()
                  ? probes->providers[p].last_error
                  : std::string{})
             + ")";
    case engine::unavailability::no_credentials:
      return "provider '" + reg.providers[p].id + "' refused the key";
    default:
      return "provider '" + reg.providers[p].id + "': "
             + std::string{engine::to_string(u)};
  }
}

} // namespace

void print_provider_report(std::ostream& out, const engine::registry& reg,
                           const provider_configuration& cfg,
                           const actors::availability_board::snapshot* probes) {
  std::vector<std::array<std::string, 6>> rows;
  rows.push_back({"provider", "kind", "base url", "key", "reachable",
                  "models"});
  for (std::size_t p = 0; p < reg.providers.size(); ++p) {
    const auto& spec = reg.providers[p];
    std::string key = spec.api_key_env.empty() ? "(none needed)"
                      : cfg.state[p] == engine::unavailability::no_credentials
                        ? spec.api_key_env + " missing"
                        : spec.api_key_env + " set";
    std::size_t total = 0;
    std::size_t ok = 0;
    for (std::size_t m = 0; m < reg.models.size(); ++m) {
      if (reg.models[m].provider_index != p || !reg.models[m].enabled)
        continue;
      ++total;
      if (model_problem(reg, m, cfg, probes).empty())
        ++ok;
    }
    rows.push_back({spec.id, std::string{engine::to_string(spec.kind)},
                    spec.base_url, key, reachability(p, cfg, probes),
                    std::to_string(ok) + "/" + std::to_string(total)
                      + " available"});
  }
  std::array<std::size_t, 6> width{};
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], row[c].size() + 2);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c + 1 < row.size(); ++c)
      out << pad(row[c], width[c]);
    out << row.back() << "\n";
  }
  std::size_t routable = 0;
  std::size_t enabled = 0;
  for (std::size_t m = 0; m < reg.models.size(); ++m) {
    if (!reg.models[m].enabled)
      continue;
    ++enabled;
    auto problem = model_problem(reg, m, cfg, probes);
    if (problem.empty())
      ++routable;
    else
      out << "warning: model '" << reg.models[m].id
          << "' cannot be routed: " << problem << "\n";
  }
  out << routable << " of " << enabled << " enabled models can be routed";
  if (routable == 0)
    out << ": no provider is usable; set a key variable above or start a "
           "local server";
  out << "\n";
}

} // namespace switchyard::cli
