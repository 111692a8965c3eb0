#pragma once
// slim: channel pruning experiments (network slimming, Rethinking's scratch training, Early-Bird).
#include <string>
#include <vector>

#include "apps/common/options.h"
#include "prune/channel.h"
#include "prune/epoch_run.h"

namespace sprig::slim {

using cli::Json;

struct SlimOptions {
  static constexpr const char* description =
      "Channel pruning on CIFAR-10 in one run: a baseline, sparsity training (L1 on BatchNorm scales), pruning at\n"
      "each ratio into a physically smaller network, then fine-tuning, Scratch-E and Scratch-B of the same\n"
      "architecture, and the Early-Bird ticket drawn during sparsity training.\n"
      "Presets: quick (VGG-11 at width 0.25, 12 epochs, lambda 1.5e-3, ratio 0.5; ~50 min on 2 cores), paper (VGG-19,\n"
      "160 epochs, batch 64, SGD 0.1 divided by 10 at 50% and 75%, weight decay 1e-4, lambda 1e-4, 70% of\n"
      "channels). Run the same command again after an interruption and it continues where it stopped.";

  std::string preset = "quick";
  std::string model = "vgg11";
  double width = 0.25;
  std::string dataset = "cifar10";
  std::string data;
  int64_t train_images = 0;
  int64_t test_images = 0;
  int64_t epochs = 12;
  int64_t batch = 64;
  double lr = 0.1;
  double momentum = 0.9;
  double weight_decay = 1e-4;
  std::vector<double> milestones = {0.5, 0.75};
  double gamma = 0.1;
  // The L1 subgradient moves a scale by at most lr * lambda per step: the paper's 1e-4 over 160 epochs
  // shrinks |γ| by ~0.6 in all. Over the quick preset's 12 epochs, 1e-4 left 0% of |γ| under 1e-2;
  // 1e-3 left 39%, 1.5e-3 55% (and fine-tuning recovers the baseline), 2e-3 64% (fine-tuning did not).
  double lambda = 1.5e-3;
  std::vector<double> ratios = {0.5};
  std::string scope = "global";
  int64_t min_channels = 2;
  int64_t finetune_epochs = 12;
  double scratch_b_cap = 2.0;
  bool early_bird = true;
  double eb_epsilon = 0.1;
  int64_t eb_patience = 3;
  int64_t seed = 1;
  int64_t threads = 2;
  std::string out = "runs/slim";
  int64_t job = -1;         // sweeps: this job only (not part of the experiment's identity)
  bool print_jobs = false;  // sweeps: print the jobs' commands

  void apply_preset();

  template <class V>
  void visit(V& v) {
    using cli::Choices, cli::Range;
    v("preset", preset, "defaults to start from (listed above); the other options override them");
    v("model", model, "zoo model with BatchNorm for the penalty (vgg*, resnet*); conv2/4/6 rank filters by L1 norm");
    v("width", width, "multiplier of the model's channel counts", Range{1e-3, 64});
    v("dataset", dataset, "dataset name", Choices{"cifar10", "mnist", "fashion_mnist"});
    v("data", data, "folder with the dataset's files (default: the per-user cache)");
    v("train_images", train_images, "train on N evenly spaced training images only (0: all); for smoke tests", Range{0, 1e9});
    v("test_images", test_images, "evaluate on N evenly spaced test images only (0: all); for smoke tests", Range{0, 1e9});
    v("epochs", epochs, "epochs of the baseline, of sparsity training and of Scratch-E", Range{1, 1e5});
    v("batch", batch, "examples per step", Range{1, 1e5});
    v("lr", lr, "SGD learning rate", Range{0, 10});
    v("momentum", momentum, "SGD momentum", Range{0, 1});
    v("weight_decay", weight_decay, "weight decay (L2)", Range{0, 1});
    v("milestones", milestones, "fractions of every run after which the rate is multiplied by gamma", Range{1e-6, 0.999999});
    v("gamma", gamma, "rate factor at each milestone", Range{0, 1});
    v("lambda", lambda, "L1 penalty on BatchNorm scales during sparsity training (0: none)", Range{0, 1});
    v("ratios", ratios, "shares of the channels to remove, one pruned network each", Range{0, 0.999});
    v("scope", scope, "one global threshold over all layers, or the ratio in each layer", Choices{"global", "layerwise"});
    v("min_channels", min_channels, "channels every layer keeps at least", Range{1, 1e6});
    v("finetune_epochs", finetune_epochs, "epochs of fine-tuning a pruned network", Range{1, 1e5});
    v("scratch_b_cap", scratch_b_cap, "Scratch-B trains for the FLOPs of the unpruned run, at most this many times the epochs",
      Range{1, 100});
    v("early_bird", early_bird, "draw the Early-Bird ticket during sparsity training and train it");
    v("eb_epsilon", eb_epsilon, "Early-Bird: mask distance under which consecutive epochs count as settled", Range{1e-6, 0.999999});
    v("eb_patience", eb_patience, "Early-Bird: consecutive settled distances needed", Range{1, 1e5});
    v("seed", seed, "seed of initialisation and data order", Range{0, 9.2e18});
    v("threads", threads, "threads for OpenMP and OpenBLAS", Range{1, 1024});
    v("out", out, "output folder: config.json, results.json, CSVs, SVG plots, state/");
    v("job", job,
      "sweeps: run one job only: 0 the baseline and sparsity training, 1..R pruning ratio R's runs, R+1 the "
      "Early-Bird ticket; -1: all (under mpirun the ratios are shared among the ranks)",
      Range{-1, 1e6});
    v("print_jobs", print_jobs, "print the command of every job, and the one that merges them, then exit");
  }
};

// The whole experiment; returns results.json's content. Resumes from out/state.
// The options that name the experiment, as config.json records them: all but how it is split into jobs.
Json experiment_config(Json config);

Json run_slim(const SlimOptions& options, const Json& config);

}  // namespace sprig::slim
