#include "apps/common/lth_app.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "apps/common/files.h"
#include "apps/common/lth_report.h"
#include "apps/common/progress.h"
#include "data/fetch.h"
#include "nn/summary.h"
#include "nn/zoo.h"
#include "tensor/runtime.h"

namespace sprig::cli {

namespace {

void print_run(const Json& r) {
  std::printf("trial %lld level %lld %-11s %6.2f%% of weights: test acc %.2f%% at early stop (iteration %lld), "
              "%.2f%% at the end, %.1f s\n",
              static_cast<long long>(r["trial"].get<int64_t>() + 1), static_cast<long long>(r["level"].get<int64_t>()),
              r["method"].get<std::string>().c_str(), 100 * r["density"].get<double>(),
              100 * r["test_acc_at_stop"].get<double>(), static_cast<long long>(r["early_stop_iteration"].get<int64_t>()),
              100 * r["test_acc_final"].get<double>(), r["seconds"].get<double>());
  std::fflush(stdout);
}

// Prints the model's summary and returns the name of its first prunable parameter.
std::string describe_model(const prune::LotteryTask& task, const Shape& example) {
  Generator gen(0);
  nn::ModulePtr model = task.make_model(gen);
  std::cout << nn::summarize(*model, example).table();
  for (auto& [name, parameter] : model->named_parameters())
    if (parameter->prunable) return name;
  throw Error("lottery: model has no prunable parameter");
}

}  // namespace

int run_lth(const LthOptions& o, const Json& config) {
  prune::check_options(o.lottery);
  const std::filesystem::path out = prepare_output_dir(o.out);
  set_num_threads(int(o.threads));
  print_blas_info(std::cout);
  const Dataset full_train = load_dataset(o.dataset, "train", o.data);
  const Dataset test = load_dataset(o.dataset, "test", o.data);
  write_text_atomic(out / "config.json", config.dump(2) + "\n");

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
  std::unique_ptr<ProgressBar> bar;
  task.on_run_start = [&](const std::string& label, int64_t iterations) -> prune::RunProgress {
    bar = std::make_unique<ProgressBar>(iterations, label);
    return [&](int64_t done, double loss) { bar->update(done, "loss " + std::to_string(loss).substr(0, 6)); };
  };
  task.on_run_done = [&](const Json& run) {
    bar.reset();
    print_run(run);
  };
  const std::string first_layer = describe_model(task, full_train.example_shape());

  const Json results = prune::run_lottery(o.lottery, task);
  const std::vector<LevelSummary> levels = summarize_levels(results);
  const std::vector<std::string> methods = methods_of(results);
  write_text_atomic(out / "lth.svg", lth_svg(levels, methods, o.model + " on " + o.dataset));
  write_mask_images(out.string(), first_layer, o.lottery.levels, full_train.height(), full_train.width());
  std::cout << "\n" << levels_table(levels, methods)
            << "\nacc: test accuracy at the early-stop iteration (lowest validation loss), mean over trials;"
               " stop: that iteration.\nWritten: "
            << (out / "results.json").string() << ", levels.csv, lth.svg, masks/level_*.png\n";
  return 0;
}

}  // namespace sprig::cli
