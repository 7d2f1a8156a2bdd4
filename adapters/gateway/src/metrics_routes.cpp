// GET /metrics: the gateway's own counters plus the runtime's gauges, the
// breakers and the budgets (Prometheus text format).

#include "gateway_impl.hpp"

#include "switchyard/runtime.hpp"

namespace switchyard::gateway {

void gateway_server::impl::serve_metrics(writer_ptr w,
                                         const request_end& finish) {
  rt->breaker_states([this, w, finish](std::vector<breaker_change> b) {
    rt->budget_summary([this, w, finish, b = std::move(b)](ledger_summary s) {
      w->respond(200, {{"content-type", "text/plain; version=0.0.4"}},
                 metrics->render(runtime_gauges()
                                 + gateway_metrics::render_breakers_and_budgets(
                                   cfg.registry, b, s)));
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
  if (cfg.cluster_metrics)
    out += cfg.cluster_metrics();
  return out;
}

} // namespace switchyard::gateway
