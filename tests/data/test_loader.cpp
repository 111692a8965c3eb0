#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "data/loader.h"
#include "data_test_files.h"
#include "tensor/runtime.h"

using namespace sprig;
using namespace sprig::test;

namespace {

// n images of [C=2, 3, 2] whose every byte is i % 251 (channel 1: +1); label i % 10.
Dataset numbered(int64_t n) {
  std::vector<uint8_t> pixels;
  std::vector<int32_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    pixels.insert(pixels.end(), 6, uint8_t(i % 251));
    pixels.insert(pixels.end(), 6, uint8_t(i % 251 + 1));
    labels.push_back(int32_t(i % 10));
  }
  return Dataset(std::move(pixels), std::move(labels), 2, 3, 2, 10);
}

struct Epoch {
  std::vector<std::vector<int64_t>> indices;
  std::vector<std::vector<float>> images;
  std::vector<std::vector<int32_t>> labels;
  bool operator==(const Epoch&) const = default;
};

Epoch run_epoch(DataLoader& loader, int64_t epoch) {
  Epoch out;
  Batch batch;
  loader.start_epoch(epoch);
  while (loader.next(batch)) {
    out.indices.push_back(batch.indices);
    out.images.push_back(batch.images.to_vector());
    out.labels.push_back(batch.labels);
  }
  return out;
}

std::vector<int64_t> flat(const Epoch& e) {
  std::vector<int64_t> all;
  for (const auto& b : e.indices) all.insert(all.end(), b.begin(), b.end());
  return all;
}

// Writes a value drawn from the generator into the first byte: results show the seeding.
void stamp(ImageBytes image, Generator& gen) { image.data[0] = uint8_t(gen.integer(256)); }

}  // namespace

TEST_CASE("loader: batches hold normalised images, labels and indices") {
  const Dataset d = numbered(10);
  DataLoader loader(d, {.batch_size = 4, .shuffle = false, .normalize = {{0.5f, 0.25f}, {2.0f, 0.5f}}});
  CHECK(loader.batches_per_epoch() == 3);
  Batch batch;
  loader.start_epoch(0);
  REQUIRE(loader.next(batch));
  CHECK(batch.images.shape() == Shape{4, 2, 3, 2});
  CHECK(batch.indices == std::vector<int64_t>{0, 1, 2, 3});
  CHECK(batch.labels == std::vector<int32_t>{0, 1, 2, 3});
  CHECK(batch.images.at({3, 0, 2, 1}) == doctest::Approx((3 / 255.0 - 0.5) / 2.0));
  CHECK(batch.images.at({3, 1, 0, 0}) == doctest::Approx((4 / 255.0 - 0.25) / 0.5));
  REQUIRE(loader.next(batch));
  REQUIRE(loader.next(batch));
  CHECK(batch.size() == 2);  // the last, partial batch
  CHECK(batch.images.shape() == Shape{2, 2, 3, 2});
  CHECK(batch.indices == std::vector<int64_t>{8, 9});
  CHECK(!loader.next(batch));
  CHECK(!loader.next(batch));

  DataLoader plain(d, {.batch_size = 10, .shuffle = false});  // no normalisation: pixel / 255
  plain.start_epoch(0);
  REQUIRE(plain.next(batch));
  CHECK(batch.images.at({9, 1, 0, 0}) == doctest::Approx(10 / 255.0));
}

TEST_CASE("loader: drop_last drops only a partial last batch") {
  const Dataset d = numbered(10);
  DataLoader drop(d, {.batch_size = 4, .drop_last = true});
  CHECK(drop.batches_per_epoch() == 2);
  const Epoch e = run_epoch(drop, 0);
  CHECK(e.indices.size() == 2);
  CHECK(flat(e).size() == 8);
  DataLoader even(d, {.batch_size = 5, .drop_last = true});
  CHECK(even.batches_per_epoch() == 2);
}

TEST_CASE("loader: every example exactly once per epoch, in an order set by seed and epoch alone") {
  const Dataset d = numbered(103);
  for (bool prefetch : {false, true}) {
    CAPTURE(prefetch);
    DataLoader a(d, {.batch_size = 10, .seed = 5, .prefetch = prefetch});
    DataLoader b(d, {.batch_size = 10, .seed = 5});
    const Epoch a0 = run_epoch(a, 0), a1 = run_epoch(a, 1);
    std::vector<int64_t> sorted = flat(a0), expected(103);
    std::sort(sorted.begin(), sorted.end());
    std::iota(expected.begin(), expected.end(), 0);
    CHECK(sorted == expected);
    sorted = flat(a1);
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == expected);
    CHECK(flat(a0) != flat(a1));
    CHECK(flat(a0) != expected);  // shuffled

    // Epochs in any order, on another loader, give the same batches.
    CHECK(run_epoch(b, 1) == a1);
    CHECK(run_epoch(b, 0) == a0);
    CHECK(run_epoch(a, 0) == a0);
    DataLoader other_seed(d, {.batch_size = 10, .seed = 6});
    CHECK(flat(run_epoch(other_seed, 0)) != flat(a0));
  }
}

TEST_CASE("loader: batches do not depend on the thread count") {
  // Small augmented batches fill on one thread; large plain ones are shared by the OpenMP team.
  std::vector<uint8_t> pixels(64 * 32 * 32);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = uint8_t(i * 7 % 251);
  const Dataset large(std::move(pixels), std::vector<int32_t>(64, 3), 1, 32, 32, 10);
  DataLoader augmented(numbered(50), {.batch_size = 7, .seed = 3, .augment = stamp});
  DataLoader plain(large, {.batch_size = 40, .seed = 3});  // 40,960 floats a batch: filled in parallel
  const int threads = num_threads();
  set_num_threads(2);
  const Epoch two[] = {run_epoch(augmented, 4), run_epoch(plain, 4)};
  set_num_threads(1);
  const Epoch one[] = {run_epoch(augmented, 4), run_epoch(plain, 4)};
  set_num_threads(threads);
  CHECK(one[0] == two[0]);
  CHECK(one[1] == two[1]);
}

TEST_CASE("loader: augmentation is seeded per (seed, epoch, example), alike with and without prefetch") {
  const Dataset d = numbered(40);
  DataLoader a(d, {.batch_size = 8, .seed = 9, .augment = stamp, .prefetch = true});
  DataLoader b(d, {.batch_size = 8, .seed = 9, .augment = stamp});
  DataLoader unshuffled(d, {.batch_size = 8, .shuffle = false, .seed = 9, .augment = stamp});
  const Epoch a0 = run_epoch(a, 0), a1 = run_epoch(a, 1);
  CHECK(run_epoch(b, 0) == a0);
  CHECK(run_epoch(b, 1) == a1);
  // Example i gets the same augmentation whatever its position in the epoch.
  const Epoch u0 = run_epoch(unshuffled, 0);
  for (size_t batch = 0; batch < a0.indices.size(); ++batch)
    for (size_t k = 0; k < a0.indices[batch].size(); ++k) {
      const int64_t i = a0.indices[batch][k];
      CHECK(a0.images[batch][k * 12] == u0.images[size_t(i / 8)][size_t(i % 8) * 12]);
    }
  // ... and a different one in another epoch (a few of 40 may agree by chance).
  int same = 0;
  for (size_t batch = 0; batch < a0.images.size(); ++batch)
    for (size_t k = 0; k < a0.images[batch].size(); k += 12) same += a0.images[batch][k] == a1.images[batch][k];
  CHECK(same < 10);
  // The dataset itself is never changed.
  CHECK(d.image(3)[0] == 3);
}

TEST_CASE("loader: a steady-state epoch takes no new tensor storage from the system") {
  const Dataset d = numbered(100);
  for (bool prefetch : {false, true}) {
    DataLoader loader(d, {.batch_size = 32, .seed = 1, .prefetch = prefetch});
    Batch batch;
    for (int64_t epoch = 0; epoch < 3; ++epoch) {
      const int64_t before = storage_system_allocations();
      loader.start_epoch(epoch);
      while (loader.next(batch)) {
      }
      if (epoch > 0) CHECK(storage_system_allocations() == before);
    }
  }
}

TEST_CASE("loader: images the caller still holds are never overwritten") {
  const Dataset d = numbered(40);
  for (bool prefetch : {false, true}) {
    DataLoader loader(d, {.batch_size = 4, .shuffle = false, .prefetch = prefetch});
    Batch batch;
    std::vector<Tensor> kept;
    std::vector<std::vector<float>> copies;
    loader.start_epoch(0);
    while (loader.next(batch)) {
      kept.push_back(batch.images);
      copies.push_back(batch.images.to_vector());
    }
    for (size_t i = 0; i < kept.size(); ++i) CHECK(kept[i].to_vector() == copies[i]);
  }
}

TEST_CASE("loader: errors while preparing a batch reach the caller, destruction mid-epoch is clean") {
  const Dataset d = numbered(30);
  auto failing = [](ImageBytes image, Generator&) {
    if (image.data[0] == 17) throw std::runtime_error("augment failed on 17");
  };
  for (bool prefetch : {false, true}) {
    CAPTURE(prefetch);
    DataLoader loader(d, {.batch_size = 4, .shuffle = false, .augment = failing, .prefetch = prefetch});
    Batch batch;
    loader.start_epoch(0);
    int batches = 0;
    CHECK_THROWS_WITH_AS(
        while (loader.next(batch)) ++batches, "augment failed on 17", std::runtime_error);
    CHECK(batches == 4);  // examples 16..19 are the fifth batch
    loader.start_epoch(1);  // a new epoch starts cleanly after an error
    CHECK(loader.next(batch));
  }
  DataLoader unfinished(d, {.batch_size = 4, .prefetch = true});
  Batch batch;
  unfinished.start_epoch(0);
  CHECK(unfinished.next(batch));
}

TEST_CASE("loader: options are checked") {
  const Dataset d = numbered(10);
  CHECK(error_of([&] { DataLoader(d, {.batch_size = 0}); }).find("batch_size must be positive") != std::string::npos);
  CHECK(error_of([&] { DataLoader(d, {.normalize = {{0.5f}, {0.5f}}}); }).find("expected 2 normalisation") !=
        std::string::npos);
  CHECK(error_of([&] { DataLoader(d, {.normalize = {{0.5f, 0.5f}, {0.5f, 0.0f}}}); })
            .find("stddev of channel 1 must be positive") != std::string::npos);
  DataLoader loader(d, {});
  Batch batch;
  CHECK(error_of([&] { loader.next(batch); }).find("call start_epoch first") != std::string::npos);
}

TEST_CASE("loader: the shards of a batch are contiguous parts that make up the unsharded batch") {
  const Dataset d = numbered(103);  // the last batch of 10 has 3 examples: shard 0 of 4 gets none
  DataLoader whole(d, {.batch_size = 10, .seed = 5});
  const Epoch all = run_epoch(whole, 2);
  std::vector<Epoch> parts;
  for (int64_t shard = 0; shard < 4; ++shard) {
    DataLoader part(d, {.batch_size = 10, .seed = 5, .shard = shard, .shards = 4});
    parts.push_back(run_epoch(part, 2));
    REQUIRE(parts.back().indices.size() == all.indices.size());
  }
  for (size_t b = 0; b < all.indices.size(); ++b) {
    std::vector<int64_t> joined;
    for (const Epoch& p : parts) joined.insert(joined.end(), p.indices[b].begin(), p.indices[b].end());
    CHECK(joined == all.indices[b]);
  }
  CHECK(parts[0].indices.back().empty());
  CHECK_THROWS_WITH_AS(DataLoader(d, {.batch_size = 2, .shard = 0, .shards = 3}), doctest::Contains("shards <= batch_size"),
                       Error);
  CHECK_THROWS_WITH_AS(DataLoader(d, {.batch_size = 10, .shard = 4, .shards = 4}), doctest::Contains("shard 4 of 4"),
                       Error);
}
