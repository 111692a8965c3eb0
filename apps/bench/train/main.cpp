// bench_train: images per second of a whole training step (forward, cross-entropy, backward,
// optimiser update) and of evaluation, for the MNIST and CIFAR models, beside PyTorch measured in the
// same run (apps/bench/torch_twin.py) with the same models, batch sizes, optimisers and threads.
//
//   bench_train --threads 2 --json bench_train.json
//   bench_train --models resnet20,vgg16 --min_time 3 --repeats 3   # on a shared machine: best of 3
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "apps/bench/timing.h"
#include "apps/bench/torch_runner.h"
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
      "Times training steps and evaluation of zoo models on random batches, sprig against PyTorch in one run.";
  int64_t threads = 2;
  double min_time = 1.0;
  int64_t repeats = 1;
  bool torch = true;
  std::string python = "/usr/bin/python3";
  std::string json;
  std::vector<std::string> models;

  template <class V>
  void visit(V& v) {
    v("threads", threads, "OpenMP and OpenBLAS threads (PyTorch gets the same, its OpenBLAS 1)", cli::Range{1, 1024});
    v("min_time", min_time, "seconds of timed steps per row", cli::Range{0, 3600});
    v("repeats", repeats, "measure each model this many times, alternating with PyTorch; report the best of each",
      cli::Range{1, 100});
    v("torch", torch, "also run the PyTorch twin (needs python3-torch)");
    v("python", python, "the Python that has torch");
    v("json", json, "write the results here as JSON");
    v("models", models, "only these models (default: all cases)");
  }
};

// As CASES in apps/bench/torch_twin.py: the MNIST models as their papers train them, and the CIFAR
// models with the usual SGD recipe (momentum 0.9, weight decay 5e-4).
struct Case {
  std::string model;
  int64_t batch;
  std::string optimizer;
  double weight_decay;
  std::vector<int64_t> input;  // one example
};
const std::vector<int64_t> kMnist = {1, 28, 28}, kCifar = {3, 32, 32};
const std::vector<Case> kCases = {
    {"lenet_300_100", 60, "adam", 0, kMnist}, {"lenet_300_100", 60, "sgd", 0, kMnist},
    {"lenet_300_100", 128, "adam", 0, kMnist}, {"lenet_300_100", 128, "sgd", 0, kMnist},
    {"lenet5", 60, "adam", 0, kMnist},         {"conv2", 60, "sgd", 5e-4, kCifar},
    {"resnet20", 128, "sgd", 5e-4, kCifar},    {"vgg16", 64, "sgd", 5e-4, kCifar}};

struct Result {
  double train_images_per_s = 0, eval_images_per_s = 0;
  double steady_state_allocations = 0;  // storage taken from the system per step, after warm-up
};

Result measure_sprig(const Case& c, double min_time) {
  Generator gen(0);
  nn::ModelOptions model_options;
  model_options.name = c.model;
  model_options.input = c.input;
  nn::ModulePtr model = nn::make_model(model_options, gen);
  nn::ParameterSet parameters(*model);
  std::unique_ptr<optim::Optimizer> optimizer;
  if (c.optimizer == "adam")
    optimizer = std::make_unique<optim::Adam>(parameters, optim::AdamOptions{.lr = 1.2e-3, .weight_decay = c.weight_decay});
  else
    optimizer = std::make_unique<optim::Sgd>(parameters,
                                             optim::SgdOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = c.weight_decay});
  Batch batch;
  Shape shape{c.batch};
  shape.insert(shape.end(), c.input.begin(), c.input.end());
  batch.images = normal(shape, gen);
  for (int64_t i = 0; i < c.batch; ++i) batch.labels.push_back(int32_t(gen.integer(10)));

  const bench::TimingPlan plan{min_time};
  Result result;
  auto step = [&] { optim::train_step(*model, *optimizer, batch); };
  const double seconds = bench::measure(plan, step).median;
  result.train_images_per_s = double(c.batch) / seconds;
  const int64_t steps = std::clamp<int64_t>(std::llround(min_time / seconds), 3, 100);
  const int64_t before = storage_system_allocations();
  for (int64_t i = 0; i < steps; ++i) step();
  result.steady_state_allocations = double(storage_system_allocations() - before) / double(steps);

  model->eval();
  auto evaluate = [&] {
    NoGradGuard no_grad;
    (*model)(Variable(batch.images));
  };
  result.eval_images_per_s = double(c.batch) / bench::measure(plan, evaluate).median;
  return result;
}

// The best of each side over the repeats: on a shared machine, the run least disturbed by others.
void keep_best(Result& best, const Result& r) {
  best.train_images_per_s = std::max(best.train_images_per_s, r.train_images_per_s);
  best.eval_images_per_s = std::max(best.eval_images_per_s, r.eval_images_per_s);
  best.steady_state_allocations = std::max(best.steady_state_allocations, r.steady_state_allocations);
}

// The twin's numbers for case c in its results (zeros if absent).
Result torch_result(const nlohmann::json& results, const Case& c) {
  Result r;
  if (results.is_array())
    for (const auto& t : results)
      if (t["model"] == c.model && t["batch"] == c.batch && t["optimizer"] == c.optimizer &&
          t["weight_decay"] == c.weight_decay) {
        r.train_images_per_s = t["train_images_per_s"];
        r.eval_images_per_s = t["eval_images_per_s"];
      }
  return r;
}

void print_row(const Case& c, const Result& sprig, const Result& torch) {
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf("%-14s %5lld %5s | %10.0f/s %10.0f/s %5.2fx | %10.0f/s %10.0f/s %5.2fx | %.2f\n", c.model.c_str(),
              static_cast<long long>(c.batch), c.optimizer.c_str(), sprig.train_images_per_s, torch.train_images_per_s,
              ratio(sprig.train_images_per_s, torch.train_images_per_s), sprig.eval_images_per_s,
              torch.eval_images_per_s, ratio(sprig.eval_images_per_s, torch.eval_images_per_s),
              sprig.steady_state_allocations);
  std::fflush(stdout);
}

cli::Json row_json(const Case& c, const Result& sprig, const Result& torch) {
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  return {{"model", c.model}, {"batch", c.batch}, {"optimizer", c.optimizer}, {"weight_decay", c.weight_decay},
          {"sprig_train_images_per_s", sprig.train_images_per_s}, {"torch_train_images_per_s", torch.train_images_per_s},
          {"train_ratio", ratio(sprig.train_images_per_s, torch.train_images_per_s)},
          {"sprig_eval_images_per_s", sprig.eval_images_per_s}, {"torch_eval_images_per_s", torch.eval_images_per_s},
          {"eval_ratio", ratio(sprig.eval_images_per_s, torch.eval_images_per_s)},
          {"steady_state_allocations_per_step", sprig.steady_state_allocations}};
}

// Model by model, PyTorch's cases then sprig's, `repeats` times over, so both see the same load.
int run(const BenchTrainOptions& o) {
  set_num_threads(int(o.threads));
  print_blas_info(std::cout);
  std::vector<std::string> models;
  for (const Case& c : kCases)
    if ((o.models.empty() || std::find(o.models.begin(), o.models.end(), c.model) != o.models.end()) &&
        std::find(models.begin(), models.end(), c.model) == models.end())
      models.push_back(c.model);
  cli::Json rows = cli::Json::array();
  std::printf("%-14s %5s %5s | %12s %12s %6s | %12s %12s %6s | %s\n", "model", "batch", "optim", "sprig train",
              "torch train", "ratio", "sprig eval", "torch eval", "ratio", "allocs/step");
  for (const std::string& model : models) {
    std::vector<std::pair<Result, Result>> best;  // sprig, torch per case of this model
    std::vector<Case> cases;
    for (const Case& c : kCases)
      if (c.model == model) cases.push_back(c);
    best.resize(cases.size());
    for (int64_t repeat = 0; repeat < o.repeats; ++repeat) {
      const nlohmann::json torch =
          o.torch ? bench::run_torch_twin(o.python, "step", o.threads, o.min_time, "--models " + model) : nullptr;
      for (size_t i = 0; i < cases.size(); ++i) {
        keep_best(best[i].second, torch_result(torch, cases[i]));
        keep_best(best[i].first, measure_sprig(cases[i], o.min_time));
      }
    }
    for (size_t i = 0; i < cases.size(); ++i) {
      print_row(cases[i], best[i].first, best[i].second);
      rows.push_back(row_json(cases[i], best[i].first, best[i].second));
    }
  }
  if (!o.json.empty())
    cli::write_text_atomic(o.json, cli::Json{{"threads", o.threads}, {"repeats", o.repeats}, {"blas_core", blas_info().core},
                                             {"rows", rows}}.dump(1));
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return sprig::cli::run_app<BenchTrainOptions>(argc, argv, run); }
