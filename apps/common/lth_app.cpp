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
#include "optim/world.h"
#include "tensor/runtime.h"

namespace sprig::cli {

namespace {

void print_run(const Json& r) {
  if (!optim::is_root()) return;
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

// One command per trial and the merging one: the experiment's options come from config.json.
void print_jobs(const std::string& program, const LthOptions& o, const std::filesystem::path& out) {
  const std::string base = program + " --config " + (out / "config.json").string();
  std::cout << "# " << o.lottery.trials << " independent jobs (one per trial); run them anywhere that sees " << out.string()
            << ",\n# e.g. as a Slurm array (README: Scaling out), then the last line merges them into results.json.\n";
  for (int64_t t = 0; t < o.lottery.trials; ++t) std::cout << base << " --job " << t << "\n";
  std::cout << base << "\n";
}

}  // namespace

Json experiment_config(const LthOptions&, Json config) {
  config.erase("job");
  config.erase("print_jobs");
  return config;
}

int run_lth(const std::string& program, const LthOptions& o, const Json& options_json) {
  prune::check_options(o.lottery);
  SPRIG_CHECK(o.job < o.lottery.trials, "--job ", o.job, ": the experiment has ", o.lottery.trials,
              " trials (0 to ", o.lottery.trials - 1, ")");
  const Json config = experiment_config(o, options_json);
  const std::filesystem::path out = o.out;
  if (optim::is_root()) {
    prepare_output_dir(o.out);
    // Jobs of one sweep share the folder: each would write the same file, so only a fresh one does.
    if (o.job < 0 || !std::filesystem::exists(out / "config.json"))
      write_text_atomic(out / "config.json", config.dump(2) + "\n");
  }
  if (o.print_jobs) {
    print_jobs(program, o, out);
    return 0;
  }
  optim::barrier();
  set_num_threads(int(o.threads));
  print_blas_info(std::cout);
  if (optim::world_size() > 1)
    std::cout << "sweep over " << optim::world_size() << " ranks: rank r runs trials r, r + "
              << optim::world_size() << ", ...\n";
  const Dataset full_train = load_dataset(o.dataset, "train", o.data);
  const Dataset test = load_dataset(o.dataset, "test", o.data);

  const TrainValidation split = split_validation(full_train, o.validation, uint64_t(o.lottery.seed));
  nn::ModelOptions model_options;
  model_options.name = o.model;
  model_options.init = o.init;
  model_options.width = o.width;
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
  if (o.job >= 0) task.trials = {o.job};
  std::unique_ptr<ProgressBar> bar;
  task.on_run_start = [&](const std::string& label, int64_t iterations) -> prune::RunProgress {
    if (!optim::is_root()) return {};  // the ranks' bars would overwrite each other's line
    bar = std::make_unique<ProgressBar>(iterations, label);
    return [&](int64_t done, double loss) { bar->update(done, "loss " + std::to_string(loss).substr(0, 6)); };
  };
  task.on_run_done = [&](const Json& run) {
    bar.reset();
    print_run(run);
  };
  const std::string first_layer = describe_model(task, full_train.example_shape());

  const Json results = prune::run_lottery(o.lottery, task);
  if (o.job >= 0) {
    std::cout << "trial " << o.job << " done: its runs are in " << (out / "state").string() << "/trial" << o.job
              << ".json; once every job is done, the command without --job merges them\n";
    return 0;
  }
  if (!optim::is_root()) return 0;
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
