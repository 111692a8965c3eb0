// lenet_lth: the lottery-ticket experiment of Frankle & Carbin (2019) on MNIST, Figures 3-4: iterative
// magnitude pruning of LeNet-300-100 with rewinding, against random re-initialisation and random masks.
//
//   lenet_lth                                # quick preset: a few minutes on two cores
//   lenet_lth --preset paper --trials 2      # the paper's recipe: 50,000 iterations per level
//   lenet_lth --config run.json --out runs/lth
//
// Run the same command again after an interruption and it continues where it stopped.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "apps/common/files.h"
#include "apps/common/lth_report.h"
#include "apps/common/options.h"
#include "apps/common/progress.h"
#include "data/fetch.h"
#include "nn/parameter_set.h"
#include "nn/summary.h"
#include "nn/zoo.h"
#include "prune/lottery.h"
#include "tensor/runtime.h"

namespace {

using namespace sprig;

struct LthOptions {
  static constexpr const char* description =
      "The lottery-ticket experiment on MNIST: iterative magnitude pruning with rewinding, against random "
      "re-initialisation and random masks. Presets set the defaults; any option overrides them.";
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
    v("preset", preset, "defaults to start from", cli::Choices{"quick", "paper", "open_lth"});
    v("model", model, "model from the zoo: lenet_300_100, mlp_W1_W2_..., lenet5");
    v("init", init, "weight initialiser",
      cli::Choices{"glorot_normal", "glorot_uniform", "kaiming_normal", "kaiming_uniform", "torch_default"});
    v("dataset", dataset, "dataset name", cli::Choices{"mnist", "fashion_mnist"});
    v("data", data, "folder with the dataset's files (default: the per-user cache, fetched if missing)");
    v("validation", validation, "training images held out for validation and early stopping", cli::Range{1, 59999});
    lottery.visit(v);
    v("threads", threads, "threads for OpenMP and OpenBLAS", cli::Range{1, 1024});
    v("out", out, "output folder: config.json, results.json, levels.csv, lth.svg, masks/, state/");
  }

  void apply_preset() {
    if (preset == "quick") {  // two paper rounds per level (36% hidden, 19% output), 5,000 iterations
      lottery.levels = 8, lottery.trials = 2, lottery.run.iterations = 5000;
      lottery.pruning.rate = 0.36, lottery.pruning.output_rate = 0.19;
    } else if (preset == "paper") {  // Frankle & Carbin 2019, section 2 and appendix
      lottery.levels = 20, lottery.trials = 5, lottery.run.iterations = 50000;
    } else if (preset == "open_lth") {  // open_lth's mnist_lenet_300_100 defaults
      init = "kaiming_normal";
      lottery.levels = 20, lottery.trials = 1, lottery.run.iterations = 40 * 430, lottery.run.eval_every = 430;
      lottery.batch = 128, lottery.optim = {.optimizer = "sgd", .lr = 0.1};
      lottery.pruning.scope = "global", lottery.pruning.ignore = {"5.weight"};
    }
  }
};

int run(const LthOptions& o) {
  prune::check_options(o.lottery);
  const std::filesystem::path out = cli::prepare_output_dir(o.out);
  set_num_threads(int(o.threads));
  print_blas_info(std::cout);
  const Dataset full_train = load_dataset(o.dataset, "train", o.data);
  const Dataset test = load_dataset(o.dataset, "test", o.data);
  const cli::Json config = cli::to_json(o);
  cli::write_text_atomic(out / "config.json", config.dump(2) + "\n");
  const TrainValidation split = split_validation(full_train, o.validation, uint64_t(o.lottery.seed));
  nn::ModelOptions model_options;
  model_options.name = o.model;
  model_options.init = o.init;
  model_options.classes = full_train.num_classes();
  model_options.input = {full_train.channels(), full_train.height(), full_train.width()};

  prune::LotteryTask task;
  task.make_model = [&](Generator& gen) { return nn::make_model(model_options, gen); };
  task.train = split.train;
  task.validation = split.validation;
  task.test = test;
  task.loader.normalize = channel_stats(split.train);
  task.out = out.string();
  task.config = config;
  std::unique_ptr<cli::ProgressBar> bar;
  task.on_run_start = [&](const std::string& label, int64_t iterations) -> prune::RunProgress {
    bar = std::make_unique<cli::ProgressBar>(iterations, label);
    return [&](int64_t done, double loss) { bar->update(done, "loss " + std::to_string(loss).substr(0, 6)); };
  };
  task.on_run_done = [&](const cli::Json& r) {
    bar.reset();
    std::printf("trial %lld level %lld %-11s %6.2f%% of weights: test acc %.2f%% at early stop (iteration %lld), "
                "%.2f%% at the end, %.1f s\n",
                static_cast<long long>(r["trial"].get<int64_t>() + 1), static_cast<long long>(r["level"].get<int64_t>()),
                r["method"].get<std::string>().c_str(), 100 * r["density"].get<double>(),
                100 * r["test_acc_at_stop"].get<double>(), static_cast<long long>(r["early_stop_iteration"].get<int64_t>()),
                100 * r["test_acc_final"].get<double>(), r["seconds"].get<double>());
    std::fflush(stdout);
  };
  std::string first_layer;  // whose mask the images show
  {
    Generator gen(0);
    nn::ModulePtr model = task.make_model(gen);
    std::cout << nn::summarize(*model, full_train.example_shape()).table();
    for (auto& [name, parameter] : model->named_parameters())
      if (parameter->prunable && first_layer.empty()) first_layer = name;
  }

  const cli::Json results = prune::run_lottery(o.lottery, task);
  const std::vector<cli::LevelSummary> levels = cli::summarize_levels(results);
  const std::vector<std::string> methods = cli::methods_of(results);
  cli::write_text_atomic(out / "lth.svg", cli::lth_svg(levels, methods, o.model + " on " + o.dataset));
  cli::write_mask_images(out.string(), first_layer, o.lottery.levels, full_train.height(), full_train.width());
  std::cout << "\n" << cli::levels_table(levels, methods)
            << "\nacc: test accuracy at the early-stop iteration (lowest validation loss), mean over trials.\n"
            << "Written: " << (out / "results.json").string() << ", levels.csv, lth.svg, masks/level_*.png\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return sprig::cli::run_app<LthOptions>(argc, argv, run); }
