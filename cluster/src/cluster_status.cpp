#include "cluster_parts.hpp"
#include "switchyard/engine/json_writer.hpp"

#include <algorithm>
#include <cstdio>

namespace switchyard::cluster::detail {

namespace {

double percentile(std::vector<double> xs, double q) {
  if (xs.empty())
    return 0.0;
  std::sort(xs.begin(), xs.end());
  auto i
    = static_cast<std::size_t>(q * static_cast<double>(xs.size() - 1) + 0.5);
  return xs[std::min(i, xs.size() - 1)];
}

} // namespace

void publish_view(self_ptr self) {
  auto& st = self->state;
  if (!st.view)
    return;
  auto now = self->clock().now();
  refresh_ring(self);
  // Budgets known here: the configured ones for today plus any with spend.
  std::set<std::string> scopes;
  for (auto& s : engine::scopes_for(st.cfg.caps, "", utc_day(self->state)))
    scopes.insert(s.name);
  for (auto& t : st.spend.all())
    if (engine::cap_of_scope(st.cfg.caps, t.scope))
      scopes.insert(t.scope);
  std::map<std::string, std::vector<std::string>> owned_by;
  for (auto& s : scopes)
    owned_by[st.ring.owner(s)].push_back(s);
  std::vector<double> lags(st.lag_ms.begin(), st.lag_ms.end());
  auto p50 = percentile(lags, 0.5);
  auto p99 = percentile(lags, 0.99);
  std::string json;
  engine::json_writer jw{json};
  jw.begin_object();
  jw.field("node_id", std::string_view{st.cfg.node_id});
  jw.field("incarnation", std::string_view{st.incarnation});
  jw.field("address", std::string_view{st.address});
  jw.field("tls", st.cfg.tls.enabled());
  jw.field("quorum", st.members.has_quorum(now));
  jw.key("members").begin_array();
  auto write_budgets = [&](const std::string& id) {
    jw.key("budgets").begin_array();
    for (auto& s : owned_by[id]) {
      jw.begin_object();
      jw.field("scope", std::string_view{s});
      auto cap = engine::cap_of_scope(st.cfg.caps, s);
      jw.field("cap_usd", cap ? engine::nanos_to_usd(*cap) : 0.0);
      jw.field("spent_usd", engine::nanos_to_usd(st.spend.spent(s)));
      jw.end_object();
    }
    jw.end_array();
  };
  jw.begin_object();
  jw.field("id", std::string_view{st.cfg.node_id});
  jw.field("address", std::string_view{st.address});
  jw.field("state", "alive");
  jw.field("self", true);
  write_budgets(st.cfg.node_id);
  jw.end_object();
  for (const auto& [id, m] : st.members.peers()) {
    jw.begin_object();
    jw.field("id", std::string_view{id});
    jw.field("address", std::string_view{m.address});
    jw.field("state", engine::to_string(st.members.state_of(m, now)));
    jw.field("self", false);
    jw.field("incarnation", std::string_view{m.incarnation});
    auto link = st.links.find(id);
    jw.field("messages_sent",
             link == st.links.end() ? std::uint64_t{0} : link->second.sent);
    jw.field("messages_received",
             link == st.links.end() ? std::uint64_t{0} : link->second.received);
    write_budgets(id);
    jw.end_object();
  }
  jw.end_array();
  jw.key("delta_lag_ms").begin_object();
  jw.field("p50", p50);
  jw.field("p99", p99);
  jw.field("samples", static_cast<std::uint64_t>(lags.size()));
  jw.end_object();
  jw.field("handovers", st.handovers);
  jw.field("open_reservations",
           static_cast<std::uint64_t>(st.owned.open_reservations()));
  jw.field("budget_refusals", st.refusals);
  jw.field("owner_unreachable", st.owner_unreachable);
  jw.field("dial_failures", st.dial_failures);
  jw.field("feedback_forwarded", st.feedback_forwarded);
  jw.field("feedback_unforwarded", st.feedback_unforwarded);
  jw.end_object();

  std::string m;
  auto line = [&m](const std::string& name, const std::string& labels,
                   double value) {
    m += name;
    if (!labels.empty())
      m += "{" + labels + "}";
    m += " " + std::to_string(value) + "\n";
  };
  m += "# HELP switchyard_cluster_peer_up Peer state: 1 alive, 0.5 suspect, 0 "
       "dead.\n"
       "# TYPE switchyard_cluster_peer_up gauge\n";
  for (const auto& [id, mem] : st.members.peers()) {
    auto s = st.members.state_of(mem, now);
    line("switchyard_cluster_peer_up", "peer=\"" + id + "\"",
         s == engine::member_state::alive     ? 1.0
         : s == engine::member_state::suspect ? 0.5
                                              : 0.0);
  }
  m += "# TYPE switchyard_cluster_messages_sent_total counter\n";
  for (const auto& [id, link] : st.links)
    line("switchyard_cluster_messages_sent_total", "peer=\"" + id + "\"",
         static_cast<double>(link.sent));
  m += "# TYPE switchyard_cluster_messages_received_total counter\n";
  for (const auto& [id, link] : st.links)
    line("switchyard_cluster_messages_received_total", "peer=\"" + id + "\"",
         static_cast<double>(link.received));
  m += "# HELP switchyard_cluster_delta_lag_ms Delay from a delta leaving a "
       "peer to its arrival here.\n# TYPE switchyard_cluster_delta_lag_ms "
       "summary\n";
  line("switchyard_cluster_delta_lag_ms", "quantile=\"0.5\"", p50);
  line("switchyard_cluster_delta_lag_ms", "quantile=\"0.99\"", p99);
  line("switchyard_cluster_delta_lag_ms_count", "",
       static_cast<double>(lags.size()));
  m += "# TYPE switchyard_cluster_budget_refusals_total counter\n";
  line("switchyard_cluster_budget_refusals_total", "",
       static_cast<double>(st.refusals));
  m += "# TYPE switchyard_cluster_quorum gauge\n";
  line("switchyard_cluster_quorum", "", st.members.has_quorum(now) ? 1.0 : 0.0);

  std::lock_guard<std::mutex> guard{st.view->mutex};
  st.view->status_json = std::move(json);
  st.view->metrics_text = std::move(m);
}

} // namespace switchyard::cluster::detail
