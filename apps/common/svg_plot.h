#pragma once
// Line charts as SVG text, for the results apps write beside their JSON: panels side by side, each
// with its axes, one line per series, optional error bars (low..high) and a legend. No dependencies;
// any browser shows the file.
#include <string>
#include <vector>

namespace sprig::cli {

struct PlotPoint {
  double x, y;
  double low, high;  // error bar; equal to y for none
};

struct PlotSeries {
  std::string name;
  std::string color;  // any SVG colour, e.g. "#1f77b4"
  std::vector<PlotPoint> points;
};

struct PlotPanel {
  std::string title, x_label, y_label;
  bool log_x = false;
  bool reverse_x = false;  // largest x on the left (percent of weights remaining, as in the LTH paper)
  std::vector<PlotSeries> series;
};

std::string svg_panels(const std::vector<PlotPanel>& panels, int panel_width = 480, int panel_height = 360);

// A square matrix of values in [0, max] as a grid of cells from white (0) to dark blue (max), rows
// and columns labelled 1..n (epochs, for the Early-Bird mask distances), each cell titled with its value.
std::string svg_heatmap(const std::string& title, const std::string& axis_label,
                        const std::vector<std::vector<double>>& values);

}  // namespace sprig::cli
