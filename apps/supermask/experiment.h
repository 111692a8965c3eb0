#pragma once
// What the supermask app's two experiments share: the options, the data, width-scaled models, the
// optimiser and schedule over the scores, and the output files.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "apps/common/options.h"
#include "data/loader.h"
#include "nn/supermask.h"
#include "nn/zoo.h"
#include "optim/factory.h"
#include "optim/schedule.h"

namespace sprig::supermask_app {

struct AppOptions {
  static constexpr const char* description =
      "Edge-popup supermasks (Ramanujan et al. 2020): random networks whose weights are never trained, pruned by\n"
      "learnt scores. experiment popup: classification accuracy against width; malach: fit a small trained target\n"
      "network's logits with random networks of twice its depth (Malach et al. 2020), error against width.\n"
      "Presets: mnist (LeNet-300-100 widths 1,2,4,8), conv4 (Conv-4 on CIFAR-10), malach (784-100-10 target).";
  std::string preset = "mnist";
  std::string experiment = "popup";
  std::string model = "lenet_300_100";
  std::string dataset = "mnist";
  std::string data;
  std::vector<double> widths = {1, 2, 4, 8};
  nn::SupermaskOptions supermask;
  int64_t epochs = 10;
  int64_t batch = 128;
  optim::OptimizerOptions optim = {.optimizer = "sgd", .lr = 0.1, .momentum = 0.9, .weight_decay = 5e-4};
  std::string schedule = "cosine";
  std::string augment = "auto";
  int64_t train_limit = 0;
  int64_t test_limit = 0;
  std::string target = "mlp_100";
  int64_t target_epochs = 2;
  std::string objective = "mse";
  int64_t seed = 1;
  int64_t threads = 2;
  std::string out = "runs/supermask";

  template <class V>
  void visit(V& v) {
    v("preset", preset, "defaults to start from (listed above); the other options override them",
      cli::Choices{"mnist", "conv4", "malach"});
    v("experiment", experiment, "popup (classification) or malach (fit a trained target's logits)",
      cli::Choices{"popup", "malach"});
    v("model", model, "popup: model from the zoo (lenet_300_100, mlp_W1_..., conv2, conv4, conv6, ...)");
    v("dataset", dataset, "dataset name", cli::Choices{"mnist", "fashion_mnist", "cifar10"});
    v("data", data, "folder with the dataset's files (default: the per-user cache)");
    v("widths", widths,
      "width multipliers: MLP hidden widths (LeNet-300-100 x2 = mlp_600_200) or convolution channels; malach: "
      "hidden width of the student in units of the target's",
      cli::Range{0.01, 1e3});
    supermask.visit(v);
    v("epochs", epochs, "passes over the training set per width", cli::Range{1, 1e6});
    v("batch", batch, "examples per step", cli::Range{1, 1e6});
    optim.visit(v);
    v("schedule", schedule, "learning-rate schedule over each run", cli::Choices{"constant", "cosine"});
    v("augment", augment, "crop_flip, none, or auto (crop_flip for cifar10)",
      cli::Choices{"auto", "none", "crop_flip"});
    v("train_limit", train_limit, "use only N training images drawn at random (0: all), for short runs",
      cli::Range{0, 1e9});
    v("test_limit", test_limit, "use only N test images drawn at random (0: all)", cli::Range{0, 1e9});
    v("target", target, "malach: the target network, trained with Adam 1e-3 (an mlp_W... from the zoo)");
    v("target_epochs", target_epochs, "malach: the target's training epochs", cli::Range{1, 1e6});
    v("objective", objective, "malach: mse (between logits) or kl (target || student)", cli::Choices{"mse", "kl"});
    v("seed", seed, "seed of weights, scores and data order", cli::Range{0, 9.2e18});
    v("threads", threads, "threads for OpenMP and OpenBLAS", cli::Range{1, 1024});
    v("out", out, "output folder: config.json, results.json, CSV files, SVG plots");
  }

  void apply_preset();
};

// Training and test sets, loaded, cut to the limits and wrapped in loaders.
struct Data {
  Dataset train, test;
  std::unique_ptr<DataLoader> train_loader, test_loader;
};
Data load_data(const AppOptions& o);

// "mlp_300_100" or "lenet_300_100" -> {300, 100}; empty for models of other families.
std::vector<int64_t> mlp_hidden(const std::string& name);
// The zoo model `name` at `width` times its size: MLP hidden widths, or convolution channels.
nn::ModelOptions scaled_model(const std::string& name, double width, const Dataset& data);
std::string mlp_name(const std::vector<int64_t>& hidden);  // {300, 100} -> "mlp_300_100"

// The rate schedule of a run of `epochs` over `loader`.
optim::Schedule make_schedule(const AppOptions& o, const DataLoader& loader);

std::string number(double value);  // %.6g, for CSV files and messages

int run_popup(const AppOptions& o, const std::filesystem::path& out);
int run_malach(const AppOptions& o, const std::filesystem::path& out);

}  // namespace sprig::supermask_app
