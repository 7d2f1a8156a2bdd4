#include "svg_plot.hpp"

#include <cmath>
#include <cstdio>

namespace switchyard::bench {

namespace {

std::string fmt(const char* format, double a, double b = 0.0) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), format, a, b);
  return buf;
}

double axis_pos(const svg_plot::axis& a, double v) {
  if (a.log)
    return (std::log10(std::max(v, a.min)) - std::log10(a.min))
           / (std::log10(a.max) - std::log10(a.min));
  return (v - a.min) / (a.max - a.min);
}

double axis_value(const svg_plot::axis& a, double fraction) {
  if (a.log)
    return std::pow(10.0, std::log10(a.min)
                            + (std::log10(a.max) - std::log10(a.min))
                                * fraction);
  return a.min + (a.max - a.min) * fraction;
}

} // namespace

std::string svg_plot::escaped(std::string_view s) {
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

svg_plot::svg_plot(std::string_view title, axis x, axis y)
    : x_(std::move(x)), y_(std::move(y)) {
  if (!(x_.max > x_.min))
    x_.max = x_.min + 1;
  if (!(y_.max > y_.min))
    y_.max = y_.min + 1;
  body_ += "<text x=\"380\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">";
  body_ += escaped(title);
  body_ += "</text>\n";
  for (int i = 0; i <= 5; ++i) {
    auto xv = axis_value(x_, i / 5.0);
    auto yv = axis_value(y_, i / 5.0);
    body_ += fmt("<line x1=\"%.1f\" y1=\"50\" x2=\"%.1f\" y2=\"450\" "
                 "stroke=\"#eee\"/>\n",
                 px(xv), px(xv));
    body_ += fmt("<line x1=\"80\" y1=\"%.1f\" x2=\"700\" y2=\"%.1f\" "
                 "stroke=\"#eee\"/>\n",
                 py(yv), py(yv));
    body_ += fmt("<text x=\"%.1f\" y=\"468\" text-anchor=\"middle\">", px(xv))
             + fmt(x_.tick_format, xv) + "</text>\n";
    body_ += fmt("<text x=\"72\" y=\"%.1f\" text-anchor=\"end\">", py(yv) + 4)
             + fmt(y_.tick_format, yv) + "</text>\n";
  }
  body_ += "<rect x=\"80\" y=\"50\" width=\"620\" height=\"400\" "
           "fill=\"none\" stroke=\"#333\"/>\n";
  body_ += "<text x=\"390\" y=\"492\" text-anchor=\"middle\">"
           + escaped(x_.label) + "</text>\n";
  body_ += "<text x=\"20\" y=\"250\" text-anchor=\"middle\" "
           "transform=\"rotate(-90 20 250)\">"
           + escaped(y_.label) + "</text>\n";
}

double svg_plot::px(double v) const {
  return left_ + axis_pos(x_, v) * width_;
}

double svg_plot::py(double v) const {
  return top_ + height_ - axis_pos(y_, v) * height_;
}

void svg_plot::line(const points& pts, std::string_view color, double width,
                    std::string_view dash, bool dots) {
  body_ += "<polyline fill=\"none\" stroke=\"" + std::string{color}
           + fmt("\" stroke-width=\"%.1f\"", width);
  if (!dash.empty())
    body_ += " stroke-dasharray=\"" + std::string{dash} + "\"";
  body_ += " points=\"";
  for (const auto& [x, y] : pts)
    body_ += fmt("%.1f,%.1f ", px(x), py(y));
  body_ += "\"/>\n";
  if (dots)
    for (const auto& [x, y] : pts)
      body_ += fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" ", px(x), py(y))
               + "fill=\"" + std::string{color} + "\"/>\n";
}

void svg_plot::mark(double x, double y, std::string_view color,
                    std::string_view label) {
  body_ += fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" ", px(x), py(y))
           + "fill=\"" + std::string{color} + "\"/>\n";
  // Labels point into the plot: left of a point in the right half.
  bool right_half = px(x) > left_ + width_ / 2;
  body_ += fmt("<text x=\"%.1f\" y=\"%.1f\" ", px(x) + (right_half ? -8 : 8),
               py(y) - 6)
           + (right_half ? "text-anchor=\"end\">" : "text-anchor=\"start\">")
           + escaped(label) + "</text>\n";
}

void svg_plot::legend(std::string_view label, std::string_view color,
                      std::string_view dash) {
  body_ += fmt("<line x1=\"%.1f\" y1=\"%.1f\" ", legend_x_, legend_y_)
           + fmt("x2=\"%.1f\" y2=\"%.1f\" stroke=\"", legend_x_ + 30, legend_y_)
           + std::string{color} + "\" stroke-width=\"2\"";
  if (!dash.empty())
    body_ += " stroke-dasharray=\"" + std::string{dash} + "\"";
  body_ += "/>";
  body_ += fmt("<text x=\"%.1f\" y=\"%.1f\">", legend_x_ + 36, legend_y_ + 4)
           + escaped(label) + "</text>\n";
  legend_y_ += 18;
}

std::string svg_plot::str() const {
  std::string s;
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" "
       "height=\"520\" viewBox=\"0 0 760 520\" font-family=\"sans-serif\" "
       "font-size=\"12\">\n";
  s += "<rect width=\"760\" height=\"520\" fill=\"white\"/>\n";
  s += body_;
  s += "</svg>\n";
  return s;
}

} // namespace switchyard::bench
