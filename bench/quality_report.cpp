#include "quality_bench.hpp"
#include "svg_plot.hpp"
#include "switchyard/engine/json_writer.hpp"

#include <algorithm>
#include <cstdio>

namespace switchyard::bench {

namespace {

void write_totals(engine::json_writer& w, std::string_view key,
                  const quality_totals& t) {
  w.key(key).begin_object();
  w.field("accuracy", t.accuracy);
  w.field("cost_usd", t.cost_usd);
  w.end_object();
}

void write_model(engine::json_writer& w, std::string_view key,
                 const model_totals& m) {
  w.key(key).begin_object();
  w.field("model", m.model);
  w.field("accuracy", m.accuracy);
  w.field("cost_usd", m.cost_usd);
  w.end_object();
}

void write_point(engine::json_writer& w, const quality_point& p) {
  w.begin_object();
  w.field("quality_requirement", p.quality_requirement);
  w.field("accuracy", p.accuracy);
  w.field("cost_usd", p.cost_usd);
  w.field("share_of_best", p.share_of_best);
  w.field("random_mix_accuracy", p.random_mix_accuracy);
  w.end_object();
}

} // namespace

std::string to_json(const quality_bench_result& r) {
  std::string out;
  engine::json_writer w{out};
  w.begin_object();
  w.field("benchmark", "quality");
  w.field("mode", to_string(r.mode));
  w.field("predictor", r.use_predictor);
  w.field("train_records", static_cast<std::uint64_t>(r.train_records));
  w.field("test_records", static_cast<std::uint64_t>(r.test_records));
  w.key("router").begin_object();
  w.field("accuracy", r.router.accuracy);
  w.field("cost_usd", r.router.cost_usd);
  w.field("share_of_best", r.router_share_of_best);
  w.field("unrouted", static_cast<std::uint64_t>(r.unrouted));
  w.end_object();
  write_model(w, "best_single", r.best_single);
  write_model(w, "cheapest", r.cheapest);
  write_model(w, "weakest", r.weakest);
  write_totals(w, "oracle", r.oracle);
  write_totals(w, "random_mix", r.random_mix);
  w.key("apgr");
  if (r.apgr)
    w.value(*r.apgr);
  else
    w.null();
  w.key("at_95pct_of_best");
  if (r.at_95pct_of_best) {
    const auto& p = *r.at_95pct_of_best;
    w.begin_object();
    w.field("quality_requirement", p.quality_requirement);
    w.field("accuracy", p.accuracy);
    w.field("cost_usd", p.cost_usd);
    w.field("cost_savings", r.best_single.cost_usd > 0.0
                              ? 1.0 - p.cost_usd / r.best_single.cost_usd
                              : 0.0);
    w.end_object();
  } else {
    w.null();
  }
  w.field("points_below_random_mix",
          static_cast<std::uint64_t>(r.points_below_random_mix));
  w.field("min_margin_over_random_mix", r.min_margin_over_random_mix);
  w.key("curve").begin_array();
  for (const auto& p : r.curve)
    write_point(w, p);
  w.end_array();
  w.key("models").begin_array();
  for (const auto& m : r.models) {
    w.begin_object();
    w.field("model", m.model);
    w.field("accuracy", m.accuracy);
    w.field("cost_usd", m.cost_usd);
    w.field("records", static_cast<std::uint64_t>(m.records));
    w.end_object();
  }
  w.end_array();
  w.key("per_category").begin_object();
  for (const auto& c : r.per_category) {
    w.key(c.category).begin_object();
    w.field("records", static_cast<std::uint64_t>(c.records));
    write_totals(w, "router", c.router);
    write_totals(w, "oracle", c.oracle);
    w.key("models").begin_object();
    for (const auto& m : c.models) {
      w.key(m.model).begin_object();
      w.field("accuracy", m.accuracy);
      w.field("cost_usd", m.cost_usd);
      w.end_object();
    }
    w.end_object();
    w.end_object();
  }
  w.end_object();
  w.end_object();
  return out;
}

// -- the plot -----------------------------------------------------------------

std::string to_svg(const quality_bench_result& r) {
  double cost_max = std::max(r.best_single.cost_usd, r.oracle.cost_usd);
  double acc_min = std::min({r.weakest.accuracy, r.cheapest.accuracy});
  double acc_max = std::max(r.oracle.accuracy, r.best_single.accuracy);
  for (const auto& p : r.curve) {
    cost_max = std::max(cost_max, p.cost_usd);
    acc_min = std::min(acc_min, p.accuracy);
    acc_max = std::max(acc_max, p.accuracy);
  }
  for (const auto& m : r.models) {
    cost_max = std::max(cost_max, m.cost_usd);
    acc_min = std::min(acc_min, m.accuracy);
  }
  svg_plot::axis x{"total cost of the test prompts (USD)", 0,
                   cost_max > 0.0 ? cost_max * 1.05 : 1.0};
  auto pad = std::max(0.02, (acc_max - acc_min) * 0.08);
  svg_plot::axis y{"accuracy", std::max(0.0, acc_min - pad),
                   std::min(1.0, acc_max + pad), false, "%.3f"};
  if (y.max <= y.min)
    y.max = y.min + 0.1;
  std::string title = "switchyard bench quality (";
  title += to_string(r.mode);
  title += ", " + std::to_string(r.test_records) + " test prompts)";
  if (r.apgr) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), ": APGR %.3f", *r.apgr);
    title += buf;
  }
  svg_plot plot{title, x, y};
  // Random mix of the cheapest and the best single model.
  plot.line({{r.cheapest.cost_usd, r.cheapest.accuracy},
             {r.best_single.cost_usd, r.best_single.accuracy}},
            "#999", 1.5, "6 4");
  // The router's curve, in sweep order.
  svg_plot::points curve;
  for (const auto& p : r.curve)
    curve.emplace_back(p.cost_usd, p.accuracy);
  plot.line(curve, "#1f6fd1", 2.0, {}, true);
  // Single models, the router at its policy and the oracle.
  for (const auto& m : r.models)
    plot.mark(m.cost_usd, m.accuracy, "#444", m.model);
  plot.mark(r.oracle.cost_usd, r.oracle.accuracy, "#2a9d3a", "oracle");
  plot.mark(r.router.cost_usd, r.router.accuracy, "#d1491f",
            "router at the registry's requirements");
  // Legend, bottom right: the curve rises from bottom left to top right.
  plot.legend_at(400, 410);
  plot.legend("router, quality requirement swept 0-1", "#1f6fd1");
  plot.legend("random mix of cheapest and best model", "#999", "6 4");
  return plot.str();
}

} // namespace switchyard::bench
