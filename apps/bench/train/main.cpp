// bench_train: images per second of a whole training step (forward, cross-entropy, backward,
// optimiser update) and of evaluation, for the MNIST models, beside PyTorch measured in the same run
// (apps/bench/torch_twin.py) with the same models, batch sizes, optimisers and threads.
//
//   bench_train --threads 2 --json bench_train.json
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "apps/bench/timing.h"
#include "apps/common/files.h"
#include "apps/common/options.h"
#include "data/loader.h"
#include "nn/parameter_set.h"
#include "nn/zoo.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "optim/train.h"
#include "tensor/runtime.h"

namespace {

using namespace sprig;

struct BenchTrainOptions {
  static constexpr const char* description =
      "Times training steps and evaluation of lenet_300_100 and lenet5, sprig against PyTorch in one run.";
  int64_t threads = 2;
  double min_time = 1.0;
  bool torch = true;
  std::string python = "/usr/bin/python3";
  std::string json;

  template <class V>
  void visit(V& v) {
    v("threads", threads, "OpenMP and OpenBLAS threads (PyTorch gets the same, its OpenBLAS 1)", cli::Range{1, 1024});
    v("min_time", min_time, "seconds of timed steps per row", cli::Range{0, 3600});
    v("torch", torch, "also run the PyTorch twin (needs python3-torch)");
    v("python", python, "the Python that has torch");
    v("json", json, "write the results here as JSON");
  }
};

struct Case {
  std::string model;
  int64_t batch;
  std::string optimizer;
};
const std::vector<Case> kCases = {{"lenet_300_100", 60, "adam"}, {"lenet_300_100", 60, "sgd"},
                                  {"lenet_300_100", 128, "adam"}, {"lenet_300_100", 128, "sgd"},
                                  {"lenet5", 60, "adam"}};

struct Result {
  double train_images_per_s = 0, eval_images_per_s = 0;
  int64_t steady_state_allocations = 0;  // storage taken from the system over 100 steps after warm-up
};

Result measure_sprig(const Case& c, double min_time) {
  Generator gen(0);
  nn::ModelOptions model_options;
  model_options.name = c.model;
  nn::ModulePtr model = nn::make_model(model_options, gen);
  nn::ParameterSet parameters(*model);
  std::unique_ptr<optim::Optimizer> optimizer;
  if (c.optimizer == "adam") optimizer = std::make_unique<optim::Adam>(parameters, optim::AdamOptions{.lr = 1.2e-3});
  else optimizer = std::make_unique<optim::Sgd>(parameters, optim::SgdOptions{.lr = 0.1, .momentum = 0.9});
  Batch batch;
  batch.images = normal({c.batch, 1, 28, 28}, gen);
  for (int64_t i = 0; i < c.batch; ++i) batch.labels.push_back(int32_t(gen.integer(10)));

  const bench::TimingPlan plan{min_time};
  Result result;
  auto step = [&] { optim::train_step(*model, *optimizer, batch); };
  result.train_images_per_s = double(c.batch) / bench::measure(plan, step).median;
  const int64_t before = storage_system_allocations();
  for (int i = 0; i < 100; ++i) step();
  result.steady_state_allocations = storage_system_allocations() - before;

  model->eval();
  auto evaluate = [&] {
    NoGradGuard no_grad;
    (*model)(Variable(batch.images));
  };
  result.eval_images_per_s = double(c.batch) / bench::measure(plan, evaluate).median;
  return result;
}

// Runs the PyTorch twin with the same settings; an empty JSON array if it cannot run.
cli::Json measure_torch(const BenchTrainOptions& o) {
  const std::filesystem::path script = std::filesystem::path(SPRIG_SOURCE_DIR) / "apps/bench/torch_twin.py";
  const std::string out = (std::filesystem::temp_directory_path() / "sprig_torch_twin.json").string();
  const std::string command = "OPENBLAS_NUM_THREADS=1 '" + o.python + "' '" + script.string() + "' step --threads " +
                              std::to_string(o.threads) + " --min-time " + std::to_string(o.min_time) + " --json '" +
                              out + "' > /dev/null";
  if (std::system(command.c_str()) != 0) {
    std::cerr << "warning: the PyTorch twin did not run (" << command << "); showing sprig alone\n";
    return cli::Json::array();
  }
  std::ifstream file(out);
  return cli::Json::parse(file)["results"];
}

int run(const BenchTrainOptions& o) {
  set_num_threads(int(o.threads));
  print_blas_info(std::cout);
  const cli::Json torch = o.torch ? measure_torch(o) : cli::Json::array();
  cli::Json rows = cli::Json::array();
  std::printf("%-14s %5s %5s | %12s %12s %6s | %12s %12s %6s | %s\n", "model", "batch", "optim", "sprig train",
              "torch train", "ratio", "sprig eval", "torch eval", "ratio", "allocs/100 steps");
  for (const Case& c : kCases) {
    const Result r = measure_sprig(c, o.min_time);
    double torch_train = 0, torch_eval = 0;
    for (const auto& t : torch)
      if (t["model"] == c.model && t["batch"] == c.batch && t["optimizer"] == c.optimizer) {
        torch_train = t["train_images_per_s"];
        torch_eval = t["eval_images_per_s"];
      }
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    std::printf("%-14s %5lld %5s | %10.0f/s %10.0f/s %5.2fx | %10.0f/s %10.0f/s %5.2fx | %lld\n", c.model.c_str(),
                static_cast<long long>(c.batch), c.optimizer.c_str(), r.train_images_per_s, torch_train,
                ratio(r.train_images_per_s, torch_train), r.eval_images_per_s, torch_eval,
                ratio(r.eval_images_per_s, torch_eval), static_cast<long long>(r.steady_state_allocations));
    rows.push_back({{"model", c.model}, {"batch", c.batch}, {"optimizer", c.optimizer},
                    {"sprig_train_images_per_s", r.train_images_per_s}, {"torch_train_images_per_s", torch_train},
                    {"train_ratio", ratio(r.train_images_per_s, torch_train)},
                    {"sprig_eval_images_per_s", r.eval_images_per_s}, {"torch_eval_images_per_s", torch_eval},
                    {"eval_ratio", ratio(r.eval_images_per_s, torch_eval)},
                    {"steady_state_allocations_per_100_steps", r.steady_state_allocations}});
  }
  if (!o.json.empty())
    cli::write_text_atomic(o.json, cli::Json{{"threads", o.threads}, {"blas_core", blas_info().core}, {"rows", rows}}.dump(1));
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return sprig::cli::run_app<BenchTrainOptions>(argc, argv, run); }
