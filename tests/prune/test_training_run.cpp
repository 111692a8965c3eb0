// A pruning experiment's training run (prune/training_run.h): its early-stop point is the whole
// model at that iteration, BatchNorm statistics included, not the weights with the final statistics.
#include <doctest/doctest.h>

#include "toy_data.h"
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

// A fresh model trained for `iterations` on the toy data (a high rate, so validation loss wanders).
prune::RunOutcome train_toy(int64_t iterations) {
  nn::ModulePtr model = batchnorm_mlp();
  nn::ParameterSet parameters(*model);
  optim::Sgd sgd(parameters, {.lr = 0.8, .momentum = 0.9});
  DataLoader train(test::toy_dataset(200, 1), {.batch_size = 8, .seed = 3});
  DataLoader validation(test::toy_dataset(20, 2), {.batch_size = 20, .shuffle = false});
  DataLoader test_set(test::toy_dataset(60, 3), {.batch_size = 60, .shuffle = false});
  prune::RunContext run{*model, parameters, sgd, nullptr, train, validation, test_set};
  return prune::train_run(run, {.iterations = iterations, .eval_every = 5, .checkpoint_every = 0}, 0, "", "toy");
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
