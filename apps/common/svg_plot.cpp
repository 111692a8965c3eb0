#include "apps/common/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace sprig::cli {

namespace {

constexpr double kLeft = 64, kRight = 16, kTop = 36, kBottom = 48;  // margins inside a panel

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

// Maps data values to pixels along one axis.
struct Axis {
  double lo, hi;      // data range
  double from, to;    // pixel range
  bool log = false;
  double operator()(double v) const {
    const double a = log ? std::log10(lo) : lo, b = log ? std::log10(hi) : hi, x = log ? std::log10(v) : v;
    return b == a ? (from + to) / 2 : from + (x - a) / (b - a) * (to - from);
  }
};

// About five round ticks (1, 2 or 5 times a power of ten) covering [lo, hi].
std::vector<double> linear_ticks(double lo, double hi) {
  const double raw = (hi - lo) / 5, power = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / power < 1.5 ? power : raw / power < 3.5 ? 2 * power : raw / power < 7.5 ? 5 * power : 10 * power;
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

// 1, 2, 5 times powers of ten inside [lo, hi].
std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> ticks;
  for (double power = std::pow(10.0, std::floor(std::log10(lo))); power <= hi; power *= 10)
    for (double m : {1.0, 2.0, 5.0})
      if (m * power >= lo * (1 - 1e-9) && m * power <= hi * (1 + 1e-9)) ticks.push_back(m * power);
  return ticks;
}

void data_range(const PlotPanel& panel, double& x_lo, double& x_hi, double& y_lo, double& y_hi) {
  x_lo = y_lo = std::numeric_limits<double>::infinity();
  x_hi = y_hi = -std::numeric_limits<double>::infinity();
  for (const PlotSeries& s : panel.series)
    for (const PlotPoint& p : s.points) {
      x_lo = std::min(x_lo, p.x), x_hi = std::max(x_hi, p.x);
      y_lo = std::min(y_lo, p.low), y_hi = std::max(y_hi, p.high);
    }
  if (!(x_lo <= x_hi)) x_lo = 1, x_hi = 2, y_lo = 0, y_hi = 1;  // nothing to show
  if (y_hi == y_lo) y_lo -= 0.5, y_hi += 0.5;
  const double pad = (y_hi - y_lo) * 0.05;
  y_lo -= pad, y_hi += pad;
  if (panel.log_x) x_lo /= 1.15, x_hi *= 1.15;
  else x_lo -= (x_hi - x_lo) * 0.03 + 1e-12, x_hi += (x_hi - x_lo) * 0.03 + 1e-12;
}

std::string draw_panel(const PlotPanel& panel, double x0, double width, double height) {
  double x_lo, x_hi, y_lo, y_hi;
  data_range(panel, x_lo, x_hi, y_lo, y_hi);
  Axis x{x_lo, x_hi, x0 + kLeft, x0 + width - kRight, panel.log_x};
  if (panel.reverse_x) std::swap(x.from, x.to);
  const Axis y{y_lo, y_hi, height - kBottom, kTop};
  std::string svg;
  const auto line = [&](double a, double b, double c, double d, const char* style) {
    svg += "<line x1=\"" + number(a) + "\" y1=\"" + number(b) + "\" x2=\"" + number(c) + "\" y2=\"" + number(d) + "\" " +
           style + "/>\n";
  };
  const auto text = [&](double px, double py, const std::string& s, const char* anchor, const char* extra = "") {
    svg += "<text x=\"" + number(px) + "\" y=\"" + number(py) + "\" text-anchor=\"" + anchor + "\" " + extra + ">" +
           escape(s) + "</text>\n";
  };
  const double left = x0 + kLeft, right = x0 + width - kRight, bottom = height - kBottom;
  for (double t : panel.log_x ? log_ticks(x_lo, x_hi) : linear_ticks(x_lo, x_hi)) {
    line(x(t), kTop, x(t), bottom, "stroke=\"#e4e4e4\"");
    text(x(t), bottom + 16, number(t), "middle");
  }
  for (double t : linear_ticks(y_lo, y_hi)) {
    line(left, y(t), right, y(t), "stroke=\"#e4e4e4\"");
    text(left - 6, y(t) + 4, number(t), "end");
  }
  line(left, bottom, right, bottom, "stroke=\"#333\"");
  line(left, kTop, left, bottom, "stroke=\"#333\"");
  text((left + right) / 2, 22, panel.title, "middle", "font-weight=\"bold\"");
  text((left + right) / 2, height - 10, panel.x_label, "middle");
  svg += "<text transform=\"translate(" + number(x0 + 16) + " " + number((kTop + bottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + escape(panel.y_label) + "</text>\n";

  double legend_y = kTop + 14;
  for (const PlotSeries& s : panel.series) {
    std::string points;
    for (const PlotPoint& p : s.points) {
      points += number(x(p.x)) + "," + number(y(p.y)) + " ";
      if (p.high > p.low) line(x(p.x), y(p.low), x(p.x), y(p.high), ("stroke=\"" + s.color + "\"").c_str());
      svg += "<circle cx=\"" + number(x(p.x)) + "\" cy=\"" + number(y(p.y)) + "\" r=\"2.5\" fill=\"" + s.color + "\"/>\n";
    }
    svg += "<polyline fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"1.5\" points=\"" + points + "\"/>\n";
    line(right - 120, legend_y - 4, right - 100, legend_y - 4, ("stroke=\"" + s.color + "\" stroke-width=\"2\"").c_str());
    text(right - 95, legend_y, s.name, "start");
    legend_y += 16;
  }
  return svg;
}

}  // namespace

std::string svg_panels(const std::vector<PlotPanel>& panels, int panel_width, int panel_height) {
  const int width = panel_width * int(std::max<size_t>(panels.size(), 1));
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" +
                    std::to_string(panel_height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n" +
                    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (size_t i = 0; i < panels.size(); ++i) svg += draw_panel(panels[i], double(i) * panel_width, panel_width, panel_height);
  return svg + "</svg>\n";
}

std::string svg_heatmap(const std::string& title, const std::string& axis_label,
                        const std::vector<std::vector<double>>& values) {
  const size_t n = values.size();
  const double cell = n ? std::max(6.0, std::min(32.0, 480.0 / double(n))) : 0.0, left = 60, top = 40;
  double max = 0.0;
  for (const auto& row : values) for (double v : row) max = std::max(max, v);
  const double side = cell * double(n);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(left + side + 20) + "\" height=\"" +
                    number(top + side + 50) + "\" font-family=\"sans-serif\" font-size=\"12\">\n" +
                    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"" + number(left + side / 2) +
                    "\" y=\"22\" text-anchor=\"middle\" font-weight=\"bold\">" + escape(title) + " (max " + number(max) +
                    ")</text>\n";
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const double shade = max > 0.0 ? values[i][j] / max : 0.0;  // 0 white .. 1 dark blue
      const int r = int(255 - 225 * shade), g = int(255 - 180 * shade), b = int(255 - 75 * shade);
      svg += "<rect x=\"" + number(left + cell * double(j)) + "\" y=\"" + number(top + cell * double(i)) + "\" width=\"" +
             number(cell) + "\" height=\"" + number(cell) + "\" fill=\"rgb(" + std::to_string(r) + "," +
             std::to_string(g) + "," + std::to_string(b) + ")\"><title>" + std::to_string(i + 1) + ", " +
             std::to_string(j + 1) + ": " + number(values[i][j]) + "</title></rect>\n";
    }
    if (n <= 40 || (i + 1) % 10 == 0)
      svg += "<text x=\"" + number(left - 4) + "\" y=\"" + number(top + cell * (double(i) + 0.7)) +
             "\" text-anchor=\"end\">" + std::to_string(i + 1) + "</text>\n";
  }
  svg += "<text x=\"" + number(left + side / 2) + "\" y=\"" + number(top + side + 30) + "\" text-anchor=\"middle\">" +
         escape(axis_label) + "</text>\n";
  return svg + "</svg>\n";
}

}  // namespace sprig::cli
