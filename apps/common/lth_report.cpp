#include "apps/common/lth_report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "apps/common/png.h"
#include "apps/common/svg_plot.h"
#include "prune/lottery.h"
#include "prune/mask_file.h"

namespace sprig::cli {

void Spread::add(double value) {
  min = count ? std::min(min, value) : value;
  max = count ? std::max(max, value) : value;
  mean = (mean * double(count) + value) / double(count + 1);
  ++count;
}

std::vector<std::string> methods_of(const Json& results) {
  std::vector<std::string> methods;
  for (const Json& run : results.at("runs")) {
    const std::string method = run.at("method");
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) methods.push_back(method);
  }
  return methods;
}

std::vector<LevelSummary> summarize_levels(const Json& results) {
  const std::vector<std::string> methods = methods_of(results);
  std::map<int64_t, LevelSummary> by_level;
  for (const Json& run : results.at("runs")) {
    const int64_t level = run.at("level");
    LevelSummary& s = by_level.try_emplace(level, LevelSummary{level, 100 * run.at("density").get<double>(), {}, {}, {}})
                          .first->second;
    // The dense level stands for every method.
    const std::vector<std::string> shown = level == 0 ? methods : std::vector<std::string>{run.at("method")};
    for (const std::string& method : shown) {
      s.test_acc[method].add(100 * run.at("test_acc_at_stop").get<double>());
      s.early_stop[method].add(run.at("early_stop_iteration").get<double>());
      s.seconds[method].add(run.at("seconds").get<double>());
    }
  }
  std::vector<LevelSummary> levels;
  for (auto& entry : by_level) levels.push_back(entry.second);
  return levels;
}

std::string levels_table(const std::vector<LevelSummary>& levels, const std::vector<std::string>& methods) {
  char cell[96];
  std::string text = "level  weights";
  for (const std::string& m : methods) {
    std::snprintf(cell, sizeof cell, " | %-22s", (m + " acc% (min-max)").c_str());
    text += cell;
  }
  for (const std::string& m : methods) {
    std::snprintf(cell, sizeof cell, " | %12s", (m + " stop").c_str());
    text += cell;
  }
  text += "\n";
  for (const LevelSummary& s : levels) {
    std::snprintf(cell, sizeof cell, "%5lld %7.2f%%", static_cast<long long>(s.level), s.percent_remaining);
    text += cell;
    for (const std::string& m : methods) {
      const auto it = s.test_acc.find(m);
      if (it == s.test_acc.end()) std::snprintf(cell, sizeof cell, " | %-22s", "");
      else std::snprintf(cell, sizeof cell, " | %6.2f (%6.2f-%6.2f)", it->second.mean, it->second.min, it->second.max);
      text += cell;
    }
    for (const std::string& m : methods) {
      const auto it = s.early_stop.find(m);
      if (it == s.early_stop.end()) std::snprintf(cell, sizeof cell, " | %12s", "");
      else std::snprintf(cell, sizeof cell, " | %12.0f", it->second.mean);
      text += cell;
    }
    text += "\n";
  }
  return text;
}

std::string lth_svg(const std::vector<LevelSummary>& levels, const std::vector<std::string>& methods,
                    const std::string& title) {
  static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  PlotPanel accuracy{title + ": test accuracy at early stop", "percent of weights remaining", "test accuracy (%)", true, true, {}};
  PlotPanel stop{title + ": early-stop iteration", "percent of weights remaining", "iteration (min validation loss)", true, true, {}};
  for (size_t i = 0; i < methods.size(); ++i) {
    PlotSeries acc{methods[i], colors[i % 5], {}}, it{methods[i], colors[i % 5], {}};
    for (const LevelSummary& s : levels) {
      if (const auto a = s.test_acc.find(methods[i]); a != s.test_acc.end())
        acc.points.push_back({s.percent_remaining, a->second.mean, a->second.min, a->second.max});
      if (const auto e = s.early_stop.find(methods[i]); e != s.early_stop.end())
        it.points.push_back({s.percent_remaining, e->second.mean, e->second.min, e->second.max});
    }
    accuracy.series.push_back(acc);
    stop.series.push_back(it);
  }
  return svg_panels({accuracy, stop});
}

void write_mask_images(const std::string& out, const std::string& layer, int64_t levels, int64_t height, int64_t width) {
  const std::filesystem::path folder = std::filesystem::path(out) / "masks";
  for (int64_t level = 1; level <= levels; ++level) {
    const std::string path = prune::ticket_mask_path(out, 0, level);
    if (!std::filesystem::exists(path)) break;
    const auto masks = prune::load_masks(path);
    const auto found = masks.find(layer);
    SPRIG_CHECK(found != masks.end(), path, ": no mask for ", layer);
    const Tensor& first = found->second;
    if (first.dim() != 2 || first.size(1) != height * width) return;
    std::vector<double> kept(size_t(height * width), 0.0);
    for (int64_t o = 0; o < first.size(0); ++o)
      for (int64_t i = 0; i < first.size(1); ++i) kept[size_t(i)] += first.data()[o * first.size(1) + i];
    const double most = std::max(1.0, *std::max_element(kept.begin(), kept.end()));
    std::vector<uint8_t> pixels(kept.size());
    for (size_t i = 0; i < kept.size(); ++i) pixels[i] = uint8_t(255.0 * kept[i] / most + 0.5);
    std::filesystem::create_directories(folder);
    write_gray_png((folder / ("level_" + std::to_string(level) + ".png")).string(), width, height, pixels, 8);
  }
}

}  // namespace sprig::cli
