#include "switchyard/engine/analytics_json.hpp"

namespace switchyard::engine {

void write_performance_json(json_writer& w,
                            const std::vector<performance_line>& lines,
                            std::optional<task_type> only) {
  w.begin_array();
  for (const auto& l : lines) {
    if (only && l.type != *only)
      continue;
    w.begin_object();
    w.field("task_type", to_string(l.type));
    w.field("model", std::string_view{l.model});
    w.field("success", l.success);
    w.key("call_success");
    if (l.call_success)
      w.value(*l.call_success);
    else
      w.null();
    w.key("feedback");
    if (l.feedback)
      w.value(*l.feedback);
    else
      w.null();
    w.field("latency_ms", l.latency_ms);
    w.field("cost_usd_per_call", l.cost_usd);
    w.field("samples", l.samples);
    w.field("confidence", l.confidence);
    w.end_object();
  }
  w.end_array();
}

namespace {

void write_spend_json(json_writer& w, std::string_view key,
                      const std::vector<spend_line>& lines) {
  w.key(key).begin_array();
  for (const auto& l : lines) {
    w.begin_object();
    w.field("name", std::string_view{l.name});
    w.field("spent_usd", nanos_to_usd(l.spent));
    w.field("calls", static_cast<std::uint64_t>(l.calls));
    w.end_object();
  }
  w.end_array();
}

} // namespace

void write_costs_json(json_writer& w, const cost_report& c) {
  w.begin_object();
  w.field("tasks", static_cast<std::uint64_t>(c.tasks));
  w.field("answered_tasks", static_cast<std::uint64_t>(c.answered_tasks));
  w.field("calls", static_cast<std::uint64_t>(c.calls));
  w.field("spent_usd", nanos_to_usd(c.total));
  w.key("always_best").begin_object();
  w.field("model", std::string_view{c.always_best_model});
  w.field("cost_usd", nanos_to_usd(c.always_best));
  w.field("actual_usd", nanos_to_usd(c.answered_total));
  w.end_object();
  write_spend_json(w, "by_model", c.by_model);
  write_spend_json(w, "by_provider", c.by_provider);
  write_spend_json(w, "by_key", c.by_key);
  write_spend_json(w, "by_day", c.by_day);
  w.end_object();
}

void write_recommendations_json(
  json_writer& w, const std::vector<recommendation>& rs) {
  w.begin_array();
  for (const auto& r : rs) {
    w.begin_object();
    w.field("task_type", to_string(r.type));
    w.field("model", std::string_view{r.model});
    w.field("instead_of", std::string_view{r.instead_of});
    w.field("metric", std::string_view{r.metric});
    w.field("success", r.success);
    w.field("reference_success", r.reference_success);
    w.field("cost_share", r.cost_share);
    w.field("sample", static_cast<std::uint64_t>(r.sample));
    w.field("text", std::string_view{r.text});
    w.end_object();
  }
  w.end_array();
}

} // namespace switchyard::engine
