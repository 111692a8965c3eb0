#pragma once
// What a person reads of a lottery-ticket experiment (prune/lottery.h results.json): a table per
// level, lth.svg (test accuracy and early-stop iteration against weights remaining, one line per
// method, min..max over trials as error bars) and images of the first layer's mask.
#include <map>
#include <string>
#include <vector>

#include "apps/common/options.h"

namespace sprig::cli {

struct Spread {  // over trials
  double mean = 0, min = 0, max = 0;
  int64_t count = 0;
  void add(double value);
};

struct LevelSummary {
  int64_t level;
  double percent_remaining;                     // of the pruned layers' weights
  std::map<std::string, Spread> test_acc;       // at the early-stop point, in percent, by method
  std::map<std::string, Spread> early_stop;     // iteration, by method
  std::map<std::string, Spread> seconds;        // wall time of the run, by method
};

// Level 0 (dense) appears under every method, so each line of the plot starts from it.
std::vector<LevelSummary> summarize_levels(const Json& results);
std::vector<std::string> methods_of(const Json& results);  // in order of first appearance

std::string levels_table(const std::vector<LevelSummary>& levels, const std::vector<std::string>& methods);
std::string lth_svg(const std::vector<LevelSummary>& levels, const std::vector<std::string>& methods,
                    const std::string& title);

// For each level's ticket mask file of trial 0: the mask of `layer` [outputs, inputs] summed over
// outputs per input, shown as an image of the input's height x width (brightest = kept by most
// outputs), written as <out>/masks/level_<L>.png. Skipped when the inputs are not height x width.
void write_mask_images(const std::string& out, const std::string& layer, int64_t levels, int64_t height, int64_t width);

}  // namespace sprig::cli
