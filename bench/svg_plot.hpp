#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::bench {

/// A self-contained SVG line plot on a fixed 760x520 canvas: title, axes
/// with a 5-step grid, lines, labelled points and a legend. Shared by the
/// benchmarks' plots (`bench quality`, `bench gateway`).
class svg_plot {
 public:
  struct axis {
    std::string label;
    double min = 0;
    double max = 1;
    /// Logarithmic (base 10); min must then be > 0.
    bool log = false;
    /// printf format of the tick labels.
    const char* tick_format = "%.3g";
  };

  using points = std::vector<std::pair<double, double>>;

  svg_plot(std::string_view title, axis x, axis y);

  /// A polyline through `pts` (data coordinates), with dots if asked.
  void line(const points& pts, std::string_view color, double width = 2.0,
            std::string_view dash = {}, bool dots = false);

  /// A filled point with a label beside it, pointing into the plot.
  void mark(double x, double y, std::string_view color,
            std::string_view label);

  /// The legend grows downwards from (x, y), canvas units.
  void legend_at(double x, double y) {
    legend_x_ = x;
    legend_y_ = y;
  }
  void legend(std::string_view label, std::string_view color,
              std::string_view dash = {});

  /// The whole document.
  [[nodiscard]] std::string str() const;

  [[nodiscard]] static std::string escaped(std::string_view s);

 private:
  [[nodiscard]] double px(double v) const;
  [[nodiscard]] double py(double v) const;

  static constexpr double left_ = 80;
  static constexpr double top_ = 50;
  static constexpr double width_ = 620;
  static constexpr double height_ = 400;
  axis x_;
  axis y_;
  std::string body_;
  double legend_x_ = 400;
  double legend_y_ = 410;
};

} // namespace switchyard::bench
