#include "apps/wann/draw.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "prune/wann_net.h"

namespace sprig::cli {

namespace {

constexpr double kCell = 12, kMargin = 30, kColumn = 70, kHeight = 520;
constexpr const char* kColours[prune::kActivationCount] = {"#7f7f7f", "#d62728", "#1f77b4", "#17becf", "#9467bd",
                                                           "#2ca02c", "#bcbd22", "#8c564b", "#e377c2", "#ff7f0e"};

struct Point {
  double x, y;
};

std::string fmt(const char* format, double a, double b, double c = 0, double d = 0) {
  char text[160];
  std::snprintf(text, sizeof text, format, a, b, c, d);
  return text;
}

}  // namespace

std::string network_svg(const prune::WannGenome& genome, int64_t image_height, int64_t image_width) {
  const prune::WannNet net = prune::compile(genome);
  const bool grid = image_height * image_width + 1 == genome.inputs;
  const double grid_width = grid ? double(image_width) * kCell : kCell;
  const double width = 2 * kMargin + grid_width + kColumn * double(net.layers.size() + 1) + 60;
  std::vector<Point> at(size_t(genome.nodes()), Point{0, 0});
  for (int64_t i = 0; i < genome.inputs; ++i) {
    const bool bias = i == genome.inputs - 1;
    const int64_t row = grid ? (bias ? image_height + 1 : i / image_width) : i, col = grid && !bias ? i % image_width : 0;
    at[size_t(i)] = {kMargin + (double(col) + 0.5) * kCell, kMargin + (double(row) + 0.5) * kCell * (grid ? 1 : 0.5)};
  }
  const double height = std::max(kHeight, at[size_t(genome.inputs - 1)].y + kMargin + kCell);
  for (size_t l = 0; l < net.layers.size(); ++l) {
    const prune::WannLayer& layer = net.layers[l];
    for (int64_t r = 0; r < layer.size(); ++r)
      at[size_t(layer.nodes[size_t(r)])] = {kMargin + grid_width + kColumn * double(l + 1),
                                            kMargin + (height - 2 * kMargin) * (double(r) + 0.5) / double(layer.size())};
  }

  std::string svg = fmt("<svg xmlns='http://www.w3.org/2000/svg' width='%.0f' height='%.0f' font-family='sans-serif' "
                        "font-size='11'>\n<rect width='100%%' height='100%%' fill='white'/>\n",
                        width, height);
  std::vector<bool> connected(size_t(genome.inputs), false);
  for (const prune::WannConnection& c : genome.connections) {
    if (!c.enabled) continue;
    if (genome.is_input(c.from)) connected[size_t(c.from)] = true;
    const Point a = at[size_t(c.from)], b = at[size_t(c.to)];
    if (b.x == 0) continue;  // into a node that reaches no output
    svg += fmt("<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#444' stroke-opacity='0.25'/>\n", a.x, a.y, b.x, b.y);
  }
  for (int64_t i = 0; i < genome.inputs; ++i)
    svg += fmt("<rect x='%.1f' y='%.1f' width='%.0f' height='%.0f' stroke='#bbb' ", at[size_t(i)].x - kCell / 2,
               at[size_t(i)].y - kCell / 2, kCell - 1, kCell - 1) +
           (connected[size_t(i)] ? "fill='#222'/>\n" : "fill='#f4f4f4'/>\n");
  svg += fmt("<text x='%.1f' y='%.1f'>bias</text>\n", at[size_t(genome.inputs - 1)].x + kCell,
             at[size_t(genome.inputs - 1)].y + 4);
  for (const prune::WannLayer& layer : net.layers)
    for (int64_t r = 0; r < layer.size(); ++r) {
      const Point p = at[size_t(layer.nodes[size_t(r)])];
      const bool output = genome.is_output(layer.nodes[size_t(r)]);
      svg += fmt("<circle cx='%.1f' cy='%.1f' r='%.0f' stroke='black' ", p.x, p.y, output ? 8 : 5) + "fill='" +
             (output ? "white" : kColours[int(layer.activations[size_t(r)])]) + "'/>\n";
      if (output) svg += fmt("<text x='%.1f' y='%.1f'>%.0f</text>\n", p.x + 12, p.y + 4, double(layer.nodes[size_t(r)] - genome.inputs));
    }
  for (int a = 0; a < prune::kActivationCount; ++a)  // legend
    svg += fmt("<circle cx='%.1f' cy='%.1f' r='5' fill='", width - 70, kMargin + 16.0 * a) + kColours[a] + "'/>" +
           fmt("<text x='%.1f' y='%.1f'>", width - 60, kMargin + 16.0 * a + 4) + prune::activation_name(prune::Activation(a)) +
           "</text>\n";
  return svg + "</svg>\n";
}

}  // namespace sprig::cli
