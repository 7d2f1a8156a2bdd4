#include "decision_table.hpp"

#include "switchyard/engine/decision_report.hpp"

#include <cstdio>

namespace switchyard::cli {

namespace {

/// Left-aligns `s` in a column of `width`, keeping one space before the next.
std::string pad(std::string s, std::size_t width) {
  if (s.size() >= width) {
    s.resize(width > 2 ? width - 2 : 0);
    s += "~";
  }
  s.resize(width, ' ');
  return s;
}

std::string usd(double v) {
  return engine::format_usd(v, 5);
}

std::string num(double v, int digits) {
  return engine::format_fixed(v, digits);
}

std::string model_label(const engine::registry& reg, std::uint16_t m) {
  const auto& spec = reg.models[m];
  return spec.local ? spec.id + " (local)" : spec.id;
}

std::string plan_summary(const engine::decision& d,
                         const engine::registry& reg) {
  std::string s;
  if (d.parallel) {
    s = "ensemble:";
    for (auto m : d.ensemble.members)
      s += " " + reg.models[m].id;
    if (d.ensemble.has_judge)
      s += " | judge " + reg.models[d.ensemble.judge].id;
    return s;
  }
  for (auto f : d.fallbacks)
    s += (s.empty() ? "" : ", ") + reg.models[f].id;
  return s.empty() ? "-" : s;
}

} // namespace

void print_decision_table(std::ostream& os, const std::vector<routed_task>& rows,
                          const engine::registry& reg) {
  os << pad("TASK", 46) << pad("TIER", 10) << pad("SCORE", 6)
     << pad("TYPE", 16) << pad("MODEL", 40) << pad("RULE", 17)
     << pad("EXPECTED", 11) << "FALLBACKS / ENSEMBLE\n";
  for (const auto& r : rows) {
    const auto& d = r.decision;
    std::string model = d.has_model() ? model_label(reg, d.model) : "(none)";
    std::string cost = "-";
    if (d.parallel)
      cost = "<=" + usd(engine::nanos_to_usd(d.ensemble.max_cost));
    else if (auto c = d.has_model() ? d.find_candidate(d.model) : nullptr)
      cost = usd(engine::nanos_to_usd(c->cost.expected));
    os << pad(r.text, 46) << pad(std::string{to_string(d.cls.tier)}, 10)
       << pad(std::to_string(d.cls.score), 6)
       << pad(std::string{to_string(d.cls.type)}, 16) << pad(model, 40)
       << pad(std::string{to_string(d.rule)}, 17) << pad(cost, 11)
       << plan_summary(d, reg) << "\n";
  }
}

void print_decision_detail(std::ostream& os, const routed_task& row,
                           const engine::registry& reg,
                           const engine::keyword_classifier& cls) {
  const auto& d = row.decision;
  os << "task:        " << row.text << "\n";
  os << "decision:    " << row.decision_id << "\n";
  os << "model:       "
     << (d.has_model() ? model_label(reg, d.model) + " via "
                           + reg.models[d.model].provider
                       : std::string{"(none)"})
     << "\n";
  os << "rule:        " << to_string(d.rule) << "\n";
  os << "complexity:  " << to_string(d.cls.tier) << " (" << d.cls.score
     << "/10)\n";
  os << "task type:   " << to_string(d.cls.type) << "\n";
  os << "tokens:      " << d.tokens.input << " in, " << d.tokens.output
     << " out (estimated)\n";
  if (auto c = d.has_model() ? d.find_candidate(d.model) : nullptr)
    os << "cost:        " << usd(engine::nanos_to_usd(c->cost.min)) << " / "
       << usd(engine::nanos_to_usd(c->cost.expected)) << " / "
       << usd(engine::nanos_to_usd(c->cost.max)) << " (min / expected / max)\n";
  os << (d.parallel ? "ensemble:    " : "fallbacks:   ") << plan_summary(d, reg)
     << "\n\n";
  os << pad("CANDIDATE", 40) << pad("TOTAL", 7) << pad("QUAL", 6)
     << pad("COST", 6) << pad("HIST", 6) << pad("LEARN", 6) << pad("PREF", 6)
     << pad("DIV", 5) << pad("VEND", 6) << pad("EXPECTED", 11) << "CAPABLE\n";
  for (const auto& c : d.candidates) {
    const auto& p = c.points;
    os << pad(model_label(reg, c.model), 40) << pad(num(c.total, 1), 7)
       << pad(num(p.quality, 1), 6) << pad(num(p.cost, 1), 6)
       << pad(num(p.history, 1), 6) << pad(num(p.learned, 1), 6)
       << pad(num(p.preference, 1), 6) << pad(num(p.diversity, 1), 5)
       << pad(num(p.vendor, 1), 6)
       << pad(usd(engine::nanos_to_usd(c.cost.expected)), 11)
       << (c.capable ? "yes" : "no") << "\n";
  }
  if (!d.filtered_out.empty()) {
    os << "\nfiltered out:\n";
    for (const auto& f : d.filtered_out)
      os << "  " << pad(reg.models[f.model].id, 40)
         << engine::describe_filter(f) << "\n";
  }
  os << "\nrationale: " << engine::rationale(d, reg, cls) << "\n";
}

} // namespace switchyard::cli
