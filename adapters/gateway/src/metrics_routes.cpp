// GET /metrics: the gateway's own counters plus the runtime's gauges, the
// breakers and the budgets (Prometheus text format).

#include "gateway_impl.hpp"

#include "switchyard/engine/json_writer.hpp"
#include "switchyard/runtime.hpp"
#include "switchyard/runtime_admin.hpp"

namespace switchyard::gateway {

void gateway_server::impl::serve_metrics(writer_ptr w,
                                         const request_end& finish) {
  // What the actors cannot say (shutting down) is left out of the text.
  using breakers = std::vector<breaker_change>;
  auto& admin = rt->admin();
  admin.breaker_states([this, w, finish,
                        &admin](caf::expected<breakers> states) {
    auto b = states ? std::move(*states) : breakers{};
    admin.budget_summary([this, w, finish,
                          b = std::move(b)](caf::expected<ledger_summary> s) {
      auto ledger = s ? std::move(*s) : ledger_summary{};
      w->respond(200, {{"content-type", "text/plain; version=0.0.4"}},
                 metrics->render(runtime_gauges()
                                 + gateway_metrics::render_breakers_and_budgets(
                                   cfg.registry, b, ledger)));
      finish(200);
    });
  });
}

std::string gateway_server::impl::runtime_gauges() const {
  auto s = rt->stats();
  std::string out;
  out += "# HELP switchyard_tasks_in_flight Tasks submitted and not yet "
         "answered.\n# TYPE switchyard_tasks_in_flight gauge\n"
         "switchyard_tasks_in_flight "
         + std::to_string(s.in_flight) + "\n";
  out += "# HELP switchyard_tasks_total Tasks by result.\n"
         "# TYPE switchyard_tasks_total counter\n"
         "switchyard_tasks_total{result=\"succeeded\"} "
         + std::to_string(s.succeeded) + "\nswitchyard_tasks_total{result="
           "\"failed\"} "
         + std::to_string(s.failed) + "\n";
  if (!cfg.data_dir.empty()) {
    out += "# HELP switchyard_decision_log_records_total Decision records by "
           "fate: written to the store, dropped because the store was behind, "
           "lost because the store refused their batch, evicted (oldest first) "
           "to keep the store under its size cap.\n"
           "# TYPE switchyard_decision_log_records_total counter\n"
           "switchyard_decision_log_records_total{result=\"written\"} "
           + std::to_string(s.decisions_logged)
           + "\nswitchyard_decision_log_records_total{result=\"dropped\"} "
           + std::to_string(s.decisions_dropped)
           + "\nswitchyard_decision_log_records_total{result=\"failed\"} "
           + std::to_string(s.decisions_failed)
           + "\nswitchyard_decision_log_records_total{result=\"evicted\"} "
           + std::to_string(s.decisions_evicted) + "\n";
    out += "# HELP switchyard_decision_log_queued Decision records waiting "
           "for the store.\n# TYPE switchyard_decision_log_queued gauge\n"
           "switchyard_decision_log_queued "
           + std::to_string(s.decisions_queued) + "\n";
    out += "# HELP switchyard_decision_log_queue_capacity Records that may "
           "wait before new ones are dropped.\n"
           "# TYPE switchyard_decision_log_queue_capacity gauge\n"
           "switchyard_decision_log_queue_capacity "
           + std::to_string(s.decision_queue_capacity) + "\n";
    out += "# HELP switchyard_store_failing 1 while the store refuses "
           "writes (see /readyz).\n# TYPE switchyard_store_failing gauge\n"
           "switchyard_store_failing "
           + std::string{s.store_error.empty() ? "0" : "1"} + "\n";
  }
  if (cfg.cluster_metrics)
    out += cfg.cluster_metrics();
  if (tracing.exporter)
    out += telemetry::prometheus_text(tracing.exporter->stats());
  return out;
}

std::string gateway_server::impl::readiness_body() const {
  if (cfg.data_dir.empty())
    return R"({"status":"ready"})";
  auto s = rt->stats();
  std::string out;
  engine::json_writer jw{out};
  jw.begin_object();
  jw.field("status", std::string_view{s.store_error.empty() ? "ready"
                                                            : "degraded"});
  jw.key("decision_log");
  jw.begin_object();
  jw.field("queued", s.decisions_queued);
  jw.field("capacity", s.decision_queue_capacity);
  jw.field("written", s.decisions_logged);
  jw.field("dropped", s.decisions_dropped);
  jw.field("failed", s.decisions_failed);
  jw.field("evicted", s.decisions_evicted);
  jw.end_object();
  if (!s.store_error.empty())
    jw.field("store_error", std::string_view{s.store_error});
  jw.end_object();
  return out;
}

} // namespace switchyard::gateway
