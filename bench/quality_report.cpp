#include "quality_bench.hpp"
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

namespace {

/// Plot area inside a fixed canvas, in SVG user units.
struct frame {
  double left = 80;
  double top = 50;
  double width = 620;
  double height = 400;
  double x_min = 0;
  double x_max = 1;
  double y_min = 0;
  double y_max = 1;

  [[nodiscard]] double x(double v) const {
    return left + (v - x_min) / (x_max - x_min) * width;
  }

  [[nodiscard]] double y(double v) const {
    return top + height - (v - y_min) / (y_max - y_min) * height;
  }
};

std::string escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fmt(const char* format, double a, double b = 0.0) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), format, a, b);
  return buf;
}

} // namespace

std::string to_svg(const quality_bench_result& r) {
  frame f;
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
  f.x_max = cost_max > 0.0 ? cost_max * 1.05 : 1.0;
  auto pad = std::max(0.02, (acc_max - acc_min) * 0.08);
  f.y_min = std::max(0.0, acc_min - pad);
  f.y_max = std::min(1.0, acc_max + pad);
  if (f.y_max <= f.y_min)
    f.y_max = f.y_min + 0.1;

  std::string s;
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" "
       "height=\"520\" viewBox=\"0 0 760 520\" font-family=\"sans-serif\" "
       "font-size=\"12\">\n";
  s += "<rect width=\"760\" height=\"520\" fill=\"white\"/>\n";
  s += "<text x=\"380\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">"
       "switchyard bench quality (";
  s += to_string(r.mode);
  s += ", ";
  s += std::to_string(r.test_records);
  s += " test prompts)";
  if (r.apgr)
    s += fmt(": APGR %.3f", *r.apgr);
  s += "</text>\n";
  // Axes and grid.
  for (int i = 0; i <= 5; ++i) {
    auto xv = f.x_min + (f.x_max - f.x_min) * i / 5.0;
    auto yv = f.y_min + (f.y_max - f.y_min) * i / 5.0;
    s += fmt("<line x1=\"%.1f\" y1=\"50\" x2=\"%.1f\" y2=\"450\" "
             "stroke=\"#eee\"/>\n",
             f.x(xv), f.x(xv));
    s += fmt("<line x1=\"80\" y1=\"%.1f\" x2=\"700\" y2=\"%.1f\" "
             "stroke=\"#eee\"/>\n",
             f.y(yv), f.y(yv));
    s += fmt("<text x=\"%.1f\" y=\"468\" text-anchor=\"middle\">", f.x(xv))
         + fmt("%.3g", xv) + "</text>\n";
    s += fmt("<text x=\"72\" y=\"%.1f\" text-anchor=\"end\">", f.y(yv) + 4)
         + fmt("%.3f", yv) + "</text>\n";
  }
  s += "<rect x=\"80\" y=\"50\" width=\"620\" height=\"400\" fill=\"none\" "
       "stroke=\"#333\"/>\n";
  s += "<text x=\"390\" y=\"492\" text-anchor=\"middle\">total cost of the "
       "test prompts (USD)</text>\n";
  s += "<text x=\"20\" y=\"250\" text-anchor=\"middle\" "
       "transform=\"rotate(-90 20 250)\">accuracy</text>\n";
  // Random mix of the cheapest and the best single model.
  s += fmt("<line x1=\"%.1f\" y1=\"%.1f\" ", f.x(r.cheapest.cost_usd),
           f.y(r.cheapest.accuracy))
       + fmt("x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" stroke-width=\"1.5\" "
             "stroke-dasharray=\"6 4\"/>\n",
             f.x(r.best_single.cost_usd), f.y(r.best_single.accuracy));
  // The router's curve, in sweep order.
  s += "<polyline fill=\"none\" stroke=\"#1f6fd1\" stroke-width=\"2\" "
       "points=\"";
  for (const auto& p : r.curve)
    s += fmt("%.1f,%.1f ", f.x(p.cost_usd), f.y(p.accuracy));
  s += "\"/>\n";
  for (const auto& p : r.curve)
    s += fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#1f6fd1\"/>\n",
             f.x(p.cost_usd), f.y(p.accuracy));
  // Single models, the router at its policy and the oracle.
  auto mark = [&](double cost, double acc, const char* color,
                  const std::string& label) {
    s += fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" ", f.x(cost), f.y(acc))
         + "fill=\"" + color + "\"/>\n";
    // Labels point into the plot: left of a point in the right half.
    bool right_half = f.x(cost) > f.left + f.width / 2;
    s += fmt("<text x=\"%.1f\" y=\"%.1f\" ", f.x(cost) + (right_half ? -8 : 8),
             f.y(acc) - 6)
         + (right_half ? "text-anchor=\"end\">" : "text-anchor=\"start\">")
         + escaped(label) + "</text>\n";
  };
  for (const auto& m : r.models)
    mark(m.cost_usd, m.accuracy, "#444", m.model);
  mark(r.oracle.cost_usd, r.oracle.accuracy, "#2a9d3a", "oracle");
  mark(r.router.cost_usd, r.router.accuracy, "#d1491f",
       "router at the registry's requirements");
  // Legend, bottom right: the curve rises from bottom left to top right.
  s += "<line x1=\"400\" y1=\"410\" x2=\"430\" y2=\"410\" stroke=\"#1f6fd1\" "
       "stroke-width=\"2\"/><text x=\"436\" y=\"414\">router, quality "
       "requirement swept 0-1</text>\n";
  s += "<line x1=\"400\" y1=\"428\" x2=\"430\" y2=\"428\" stroke=\"#999\" "
       "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/><text x=\"436\" "
       "y=\"432\">random mix of cheapest and best model</text>\n";
  s += "</svg>\n";
  return s;
}

} // namespace switchyard::bench
