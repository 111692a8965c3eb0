// A pruning experiment's training run (prune/training_run.h): its early-stop point is the whole
// model at that iteration, BatchNorm statistics included, not the weights with the final statistics.
#include <doctest/doctest.h>

#include "toy_data.h"
#include "data/data_test_files.h"
#include "nn/activation.h"
#include "nn/batchnorm.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/sequential.h"
#include "optim/sgd.h"
#include "prune/training_run.h"

using namespace sprig;

namespace {

// Flatten, Linear 16 -> 12, BatchNorm1d, ReLU, Linear 12 -> 3, the same weights for every seed.
nn::ModulePtr batchnorm_mlp() {
  Generator gen(7);
  return std::make_shared<nn::Sequential>(std::vector<nn::ModulePtr>{
      std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = 16, .out_features = 12}, gen),
      std::make_shared<nn::BatchNorm1d>(nn::BatchNormOptions{.num_features = 12}),
      std::make_shared<nn::Activation>(),
      std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = 12, .out_features = 3}, gen)});
}

// A fresh model trained for `iterations` on the toy data (a high rate, so validation loss wanders),
// checkpointing every 10 iterations to `checkpoint` if given, thrown out of at `interrupt_at` if given.
prune::RunOutcome train_toy(int64_t iterations, const std::string& checkpoint = "", int64_t interrupt_at = -1) {
  nn::ModulePtr model = batchnorm_mlp();
  nn::ParameterSet parameters(*model);
  optim::Sgd sgd(parameters, {.lr = 0.8, .momentum = 0.9});
  DataLoader train(test::toy_dataset(200, 1), {.batch_size = 8, .seed = 3});
  DataLoader validation(test::toy_dataset(20, 2), {.batch_size = 20, .shuffle = false});
  DataLoader test_set(test::toy_dataset(60, 3), {.batch_size = 60, .shuffle = false});
  prune::RunContext run{*model, parameters, sgd, nullptr, train, validation, test_set};
  const auto interrupt = [&](int64_t done, double) {
    if (done == interrupt_at) throw test::Interrupted();
  };
  return prune::train_run(run, {.iterations = iterations, .eval_every = 5, .checkpoint_every = checkpoint.empty() ? 0 : 10},
                          0, checkpoint, "toy", interrupt);
}

}  // namespace

TEST_CASE("training run: the test result at the early-stop point is that of a run stopped there") {
  const prune::RunOutcome full = train_toy(80);
  const int64_t stop = full.early_stop.iteration;
  REQUIRE(stop < 80);  // the rate makes validation loss rise again, so the point is not the end
  const prune::RunOutcome stopped = train_toy(stop);
  CHECK(full.test_at_stop.loss == stopped.test_final.loss);
  CHECK(full.test_at_stop.accuracy == stopped.test_final.accuracy);
}

TEST_CASE("training run: interrupted and resumed, it keeps its early-stop point's BatchNorm statistics") {
  test::TempDir dir;
  const std::string checkpoint = (dir.path / "run.safetensors").string();
  const prune::RunOutcome full = train_toy(80);
  REQUIRE(full.early_stop.iteration < 65);  // the point is set before the interruption below
  CHECK_THROWS_AS(train_toy(80, checkpoint, 65), test::Interrupted);
  const prune::RunOutcome resumed = train_toy(80, checkpoint);
  CHECK(resumed.early_stop.iteration == full.early_stop.iteration);
  CHECK(resumed.test_at_stop.loss == full.test_at_stop.loss);
  CHECK(resumed.test_final.loss == full.test_final.loss);
}
