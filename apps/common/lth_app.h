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
  double width = 1.0;
  std::string dataset = "mnist";
  std::string data;
  int64_t validation = 5000;
  prune::LotteryOptions lottery;
  int64_t threads = 2;
  std::string out = "runs/lenet_lth";
  int64_t job = -1;         // sweeps: run this trial only (not part of the experiment's identity)
  bool print_jobs = false;  // sweeps: print one command per trial, and the merging one

  template <class V>
  void visit(V& v) {
    v("preset", preset, "defaults to start from (listed above); the other options override them");
    v("model", model, "model from the zoo: lenet_300_100, mlp_W1_W2_..., lenet5, conv2, conv4, conv6, ...");
    v("init", init, "weight initialiser",
      Choices{"glorot_normal", "glorot_uniform", "kaiming_normal", "kaiming_uniform", "torch_default"});
    v("width", width, "multiplier of a convolutional model's channel counts (vgg11 at 0.25 is slim's quick model)",
      Range{0.001, 64});
    v("dataset", dataset, "dataset name", Choices{"mnist", "fashion_mnist", "cifar10"});
    v("data", data, "folder with the dataset's files (default: the per-user cache; MNIST is fetched if missing)");
    v("validation", validation, "training images held out for validation and early stopping", Range{1, 59999});
    lottery.visit(v);
    v("threads", threads, "threads for OpenMP and OpenBLAS", Range{1, 1024});
    v("out", out, "output folder: config.json, results.json, levels.csv, lth.svg, masks/, state/");
    v("job", job,
      "run only this trial (0-based), e.g. as one task of a Slurm array; -1: all (under mpirun, shared among the ranks)",
      Range{-1, 1e6});
    v("print_jobs", print_jobs, "print one command line per trial and the one that merges them, then exit");
  }
};

// The options that name the experiment, as results.json records them: all but how it is split into jobs.
Json experiment_config(const LthOptions& options, Json config);

// Runs (or continues) the experiment, or the part of it --job names; `program` is the app's name
// and `config` its options as to_json gives them.
int run_lth(const std::string& program, const LthOptions& options, const Json& config);

}  // namespace sprig::cli
