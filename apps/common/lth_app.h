#pragma once
// What lenet_lth and conv_lth share: the options of a lottery-ticket experiment on a zoo model and a
// dataset by name, and the whole run: data, the runner (prune/lottery.h), progress bars and the report.
// The apps differ only in their presets.
#include <string>

#include "apps/common/options.h"
#include "prune/lottery.h"

namespace sprig::cli {

struct LthOptions {
  std::string preset = "quick";
  std::string model = "lenet_300_100";
  std::string init = "glorot_normal";
  std::string dataset = "mnist";
  std::string data;
  int64_t validation = 5000;
  prune::LotteryOptions lottery;
  int64_t threads = 2;
  std::string out = "runs/lenet_lth";

  template <class V>
  void visit(V& v) {
    v("preset", preset, "defaults to start from (listed above); the other options override them");
    v("model", model, "model from the zoo: lenet_300_100, mlp_W1_W2_..., lenet5, conv2, conv4, conv6, ...");
    v("init", init, "weight initialiser",
      Choices{"glorot_normal", "glorot_uniform", "kaiming_normal", "kaiming_uniform", "torch_default"});
    v("dataset", dataset, "dataset name", Choices{"mnist", "fashion_mnist", "cifar10"});
    v("data", data, "folder with the dataset's files (default: the per-user cache; MNIST is fetched if missing)");
    v("validation", validation, "training images held out for validation and early stopping", Range{1, 59999});
    lottery.visit(v);
    v("threads", threads, "threads for OpenMP and OpenBLAS", Range{1, 1024});
    v("out", out, "output folder: config.json, results.json, levels.csv, lth.svg, masks/, state/");
  }
};

// Runs (or continues) the experiment `options` describes; `config` is the options as the app saw them.
int run_lth(const LthOptions& options, const Json& config);

}  // namespace sprig::cli
