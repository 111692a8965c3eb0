// Facts about the real MNIST files (shared/data/README.md), when they are at hand (see
// shared_data_dir). Skipped otherwise.
#include <doctest/doctest.h>

#include <cmath>

#include "data/fetch.h"
#include "data/loader.h"
#include "data/mnist.h"
#include "data_test_files.h"
#include "shared_data.h"

using namespace sprig;
using namespace sprig::test;

namespace {

std::string shared_mnist_dir() {
  const fs::path root = shared_data_dir();
  return missing_mnist_files((root / "mnist").string()).empty() ? (root / "mnist").string() : "";
}

}  // namespace

TEST_CASE("mnist: the real files hold what the README says") {
  const std::string dir = shared_mnist_dir();
  if (dir.empty()) {
    MESSAGE("skipped: no MNIST in $SPRIG_SHARED_DATA/mnist or beside the repository");
    return;
  }
  CHECK(find_dataset_dir("mnist", dir) == dir);
  const Dataset train = load_mnist(dir, "train");
  const Dataset test = load_mnist(dir, "test");
  CHECK(train.size() == 60000);
  CHECK(test.size() == 10000);
  CHECK(train.example_shape() == Shape{1, 28, 28});
  CHECK(test.example_shape() == Shape{1, 28, 28});
  CHECK(train.class_counts() == std::vector<int64_t>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
  CHECK(std::vector<int32_t>(train.labels().begin(), train.labels().begin() + 10) ==
        std::vector<int32_t>{5, 0, 4, 1, 9, 2, 1, 3, 1, 4});
  const ChannelStats stats = channel_stats(train);
  CHECK(stats.mean[0] == doctest::Approx(0.1307).epsilon(0.0005));
  CHECK(stats.stddev[0] == doctest::Approx(0.3081).epsilon(0.0005));

  // The lottery-ticket split, and one normalised batch: mean about 0, std about 1.
  const TrainValidation split = split_validation(train, 5000, 0);
  CHECK(split.train.size() == 55000);
  CHECK(split.validation.size() == 5000);
  DataLoader loader(split.train, {.batch_size = 1000, .seed = 1, .normalize = stats});
  Batch batch;
  loader.start_epoch(0);
  REQUIRE(loader.next(batch));
  double sum = 0, squares = 0;
  for (float x : batch.images.to_vector()) {
    sum += x;
    squares += double(x) * x;
  }
  const double n = double(batch.images.numel()), mean = sum / n;
  CHECK(std::abs(mean) < 0.05);
  CHECK(std::sqrt(squares / n - mean * mean) == doctest::Approx(1.0).epsilon(0.05));
}
