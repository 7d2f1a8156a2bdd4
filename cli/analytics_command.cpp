#include "analytics_command.hpp"

#include "command_line.hpp"
#include "store_access.hpp"

#include "switchyard/engine/decision_report.hpp"
#include "switchyard/engine/analytics_json.hpp"
#include "switchyard/engine/json_writer.hpp"
#include "switchyard/messages/error_code.hpp"
#include "switchyard/storage/analytics_report.hpp"

#include <chrono>
#include <iostream>

namespace switchyard::cli {

using engine::write_costs_json;
using engine::write_performance_json;
using engine::write_recommendations_json;

namespace {

/// Left-aligns `s` in a column of `width`.
std::string pad(std::string s, std::size_t width) {
  if (s.size() + 1 > width) {
    s.resize(width > 2 ? width - 2 : 0);
    s += "~";
  }
  s.resize(width, ' ');
  return s;
}

std::string num(double v, int digits) {
  return engine::format_fixed(v, digits);
}

std::string usd(engine::usd_nanos n) {
  return engine::format_usd(engine::nanos_to_usd(n), 4);
}

void print_performance(std::ostream& os,
                       const std::vector<engine::performance_line>& lines,
                       std::optional<engine::task_type> only) {
  os << pad("TASK TYPE", 16) << pad("MODEL", 32) << pad("SUCCESS", 9)
     << pad("CALLS OK", 10) << pad("FEEDBACK", 10) << pad("LATENCY", 11)
     << pad("COST/CALL", 12) << pad("SAMPLES", 10) << "CONFIDENCE\n";
  std::size_t shown = 0;
  for (const auto& l : lines) {
    if (only && l.type != *only)
      continue;
    ++shown;
    os << pad(std::string{to_string(l.type)}, 16) << pad(l.model, 32)
       << pad(num(l.success, 3), 9)
       << pad(l.call_success ? num(*l.call_success, 3) : "-", 10)
       << pad(l.feedback ? num(*l.feedback, 3) : "-", 10)
       << pad(num(l.latency_ms, 0) + " ms", 11)
       << pad(engine::format_usd(l.cost_usd, 5), 12)
       << pad(num(l.samples, 1), 10) << num(l.confidence, 2) << "\n";
  }
  if (shown == 0)
    os << "(nothing learned yet)\n";
}

void print_spend(std::ostream& os, std::string_view title,
                 const std::vector<engine::spend_line>& lines) {
  os << "\n" << title << ":\n";
  if (lines.empty())
    os << "  (none)\n";
  for (const auto& l : lines)
    os << "  " << pad(l.name, 30) << pad(usd(l.spent), 14) << l.calls
       << " calls\n";
}

void print_costs(std::ostream& os, const engine::cost_report& c) {
  os << "tasks " << c.tasks << " (" << c.answered_tasks << " answered), calls "
     << c.calls << ", spent " << usd(c.total) << "\n";
  if (!c.always_best_model.empty() && c.answered_tasks > 0) {
    os << "always-best (" << c.always_best_model << " for every task): "
       << usd(c.always_best) << " for the answered tasks, against "
       << usd(c.answered_total) << " spent";
    if (c.always_best > 0)
      os << " ("
         << num(100.0
                  * (1.0
                     - static_cast<double>(c.answered_total)
                         / static_cast<double>(c.always_best)),
                1)
         << "% saved)";
    os << "\n";
  }
  print_spend(os, "by model", c.by_model);
  print_spend(os, "by provider", c.by_provider);
  print_spend(os, "by key", c.by_key);
  print_spend(os, "by day (UTC)", c.by_day);
}

} // namespace

int run_analytics_command(const std::vector<std::string>& args) {
  command_line cl{
    "analytics",
    "switchyard analytics performance|costs|recommendations [--data-dir D]\n"
    "                     [--config F] [--task-type T] [--min-calls N] [--json]\n\n"
    "Reports over a node's store (read-only, so it works beside a running\n"
    "node):\n"
    "  performance      per model and task type: success, latency, cost per\n"
    "                   call, decayed sample size and confidence\n"
    "  costs            spend per model, provider, key and day, and what the\n"
    "                   strongest model for every task would have cost\n"
    "  recommendations  cheaper models that are not worse than a costlier\n"
    "                   one by more than 5 points (one-sided 95%), with at\n"
    "                   least --min-calls calls each",
    {
      {"data-dir", takes::text,
       "the node's data directory (default: $SWITCHYARD_DATA_DIR, else "
       "./switchyard-data)"},
      {"config", takes::text,
       "registry for prices and names (default: the built-in one)"},
      {"task-type", takes::text, "performance: only this task type"},
      {"min-calls", takes::integer,
       "recommendations: calls per model needed (100)"},
      {"json", takes::nothing, "print JSON"},
    }};
  if (auto done = cl.parse_or_exit(args, "switchyard analytics"))
    return *done;
  const auto& pos = cl.positional();
  if (pos.size() != 1
      || (pos[0] != "performance" && pos[0] != "costs"
          && pos[0] != "recommendations")) {
    std::cerr << "switchyard analytics: expected performance, costs or "
                 "recommendations (see --help)\n";
    return 2;
  }
  std::optional<engine::task_type> only;
  if (auto t = cl.value("task-type")) {
    only = engine::parse_task_type(*t);
    if (!only) {
      std::cerr << "switchyard analytics: unknown --task-type '" << *t << "'\n";
      return 2;
    }
  }
  engine::recommendation_params advice;
  if (auto n = cl.integer("min-calls")) {
    if (*n < 2) {
      std::cerr << "switchyard analytics: --min-calls must be at least 2\n";
      return 2;
    }
    advice.min_calls = static_cast<std::uint64_t>(*n);
  }
  auto reg = registry_from(cl, "analytics");
  if (!reg)
    return 2;
  auto db = open_store(data_dir_from(cl), false, "analytics");
  if (!db)
    return 2;
  using namespace std::chrono;
  auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch())
               .count();
  auto report = storage::build_analytics_report(*db, *reg, now, {}, advice);
  if (!report) {
    std::cerr << "switchyard analytics: " << error_message(report.error())
              << "\n";
    return 2;
  }
  bool json = cl.has("json");
  std::string out;
  engine::json_writer w{out};
  if (pos[0] == "performance") {
    if (json)
      write_performance_json(w, report->performance, only);
    else
      print_performance(std::cout, report->performance, only);
  } else if (pos[0] == "costs") {
    if (json)
      write_costs_json(w, report->costs);
    else
      print_costs(std::cout, report->costs);
  } else {
    if (json) {
      write_recommendations_json(w, report->recommendations);
    } else if (report->recommendations.empty()) {
      std::cout << "no recommendation: no cheaper model is yet shown to match "
                   "a costlier one (each needs at least "
                << advice.min_calls << " calls on the task type)\n";
    } else {
      for (const auto& r : report->recommendations)
        std::cout << r.text << "\n";
    }
  }
  if (json)
    std::cout << out << "\n";
  return 0;
}

} // namespace switchyard::cli
