// Facts about the real CIFAR-10 files (shared/data/README.md), when they are at hand (see
// shared_data_dir). Skipped otherwise.
#include <doctest/doctest.h>

#include <cmath>

#include "data/cifar.h"
#include "data/cifar10.h"
#include "data/fetch.h"
#include "data/loader.h"
#include "data_test_files.h"
#include "shared_data.h"

using namespace sprig;
using namespace sprig::test;

namespace {

// Mean absolute difference, in pixel levels, between two [3, 32, 32] images.
double mean_abs_difference(const uint8_t* a, const uint8_t* b) {
  int64_t sum = 0;
  for (int64_t j = 0; j < kCifarImageBytes; ++j) sum += std::abs(int(a[j]) - int(b[j]));
  return double(sum) / double(kCifarImageBytes);
}

// Per-channel mean and std of the normalised images of one pass of the loader.
ChannelStats loader_stats(DataLoader& loader) {
  std::vector<double> sum(3), squares(3);
  Batch batch;
  loader.start_epoch(0);
  double count = 0;
  while (loader.next(batch)) {
    const float* x = batch.images.data();
    for (int64_t i = 0; i < batch.size(); ++i)
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t j = 0; j < 1024; ++j) {
          const double v = x[(i * 3 + c) * 1024 + j];
          sum[size_t(c)] += v;
          squares[size_t(c)] += v * v;
        }
    count += double(batch.size()) * 1024;
  }
  ChannelStats stats;
  for (size_t c = 0; c < 3; ++c) {
    stats.mean.push_back(float(sum[c] / count));
    stats.stddev.push_back(float(std::sqrt(squares[c] / count - std::pow(sum[c] / count, 2))));
  }
  return stats;
}

}  // namespace

TEST_CASE("cifar10: the real JPEG archive holds what the README says, and agrees with the binary records") {
  const fs::path dir = shared_data_dir() / "cifar10";
  if (!fs::exists(dir / kCifar10Archive)) {
    MESSAGE("skipped: no ", (dir / kCifar10Archive).string());
    return;
  }
  TempDir cache;
  EnvGuard xdg("XDG_CACHE_HOME", cache.path.string());
  CHECK(find_dataset_dir("cifar10", dir.string()) == dir.string());
  CHECK(find_dataset_dir("cifar10", shared_data_dir().string()) == dir.string());
  const Dataset train = load_dataset("cifar10", "train", dir.string());
  const Dataset test = load_dataset("cifar10", "test", dir.string());
  REQUIRE(train.size() == 50000);
  REQUIRE(test.size() == 10000);
  CHECK(train.example_shape() == Shape{3, 32, 32});
  CHECK(train.class_counts() == std::vector<int64_t>(10, 5000));
  CHECK(test.class_counts() == std::vector<int64_t>(10, 1000));

  // Per-channel statistics of the train set, as the README gives them (stb_image's JPEG decoding
  // differs from PIL's by a rounding here and there: means agree to about 4e-4).
  const ChannelStats stats = channel_stats(train);
  const std::vector<double> mean = {0.4913, 0.4821, 0.4465}, stddev = {0.2452, 0.2428, 0.2606};
  for (size_t c = 0; c < 3; ++c) {
    CHECK(std::abs(stats.mean[c] - mean[c]) < 1e-3);
    CHECK(std::abs(stats.stddev[c] - stddev[c]) < 1e-3);
  }
  // The loader normalises each of the three channels with them: mean 0, std 1 over the set.
  DataLoader loader(train, {.batch_size = 5000, .shuffle = false, .normalize = stats});
  const ChannelStats normalised = loader_stats(loader);
  for (size_t c = 0; c < 3; ++c) {
    CHECK(std::abs(normalised.mean[c]) < 1e-4);
    CHECK(std::abs(normalised.stddev[c] - 1) < 1e-4);
  }

  // train/<class>/NNNN.jpg is the NNNN-th image of that class in the binary batches: the first
  // 4,000 records match their JPEG re-encodes to about 6 levels (README), which checks both readers'
  // channel order and layout.
  const Dataset binary = read_cifar_binary({(dir / "data_batch_1_first4000.bin.gz").string()});
  std::vector<int64_t> seen(10, 0);
  double total = 0, worst = 0;
  for (int64_t i = 0; i < binary.size(); ++i) {
    const int32_t label = binary.label(i);
    const int64_t j = label * 5000 + seen[size_t(label)]++;
    REQUIRE(train.label(j) == label);
    const double difference = mean_abs_difference(binary.image(i), train.image(j));
    total += difference;
    worst = std::max(worst, difference);
  }
  CHECK(total / double(binary.size()) < 8);
  CHECK(worst < 30);

  // The second load comes from the decoded cache, with the same bytes.
  CHECK(fs::exists(cache.path / "sprig" / "decoded"));
  CHECK(load_dataset("cifar10", "test", dir.string()).pixels() == test.pixels());
}
