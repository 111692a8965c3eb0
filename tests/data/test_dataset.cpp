#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "data/dataset.h"
#include "data_test_files.h"

using namespace sprig;
using namespace sprig::test;

namespace {

// n single-channel 2x2 images; image i is filled with i % 256 and labelled i % classes.
Dataset numbered(int64_t n, int32_t classes = 10) {
  std::vector<uint8_t> pixels;
  std::vector<int32_t> labels;
  for (int64_t i = 0; i < n; ++i) {
    pixels.insert(pixels.end(), 4, uint8_t(i % 256));
    labels.push_back(int32_t(i % classes));
  }
  return Dataset(std::move(pixels), std::move(labels), 1, 2, 2, classes);
}

}  // namespace

TEST_CASE("dataset: construction checks sizes and labels") {
  CHECK(error_of([] { Dataset({1, 2, 3}, {0}, 1, 2, 2, 10); }).find("need 4 pixels but got 3") != std::string::npos);
  CHECK(error_of([] { Dataset({1, 2, 3, 4}, {-1}, 1, 2, 2, 10); }).find("label -1 at index 0") != std::string::npos);
  CHECK(error_of([] { Dataset({}, {}, 1, 0, 2, 10); }).find("positive image sizes") != std::string::npos);
  // Sizes whose product overflows int64 (what a hostile header could claim) fail cleanly.
  CHECK(error_of([] { Dataset({}, {0}, int64_t(1) << 40, int64_t(1) << 30, 2, 10); }).find("64 bits") != std::string::npos);
  const Dataset empty;
  CHECK(empty.size() == 0);
  const Dataset d = numbered(25);
  CHECK(d.size() == 25);
  CHECK(d.example_numel() == 4);
  CHECK(d.class_counts() == std::vector<int64_t>{3, 3, 3, 3, 3, 2, 2, 2, 2, 2});
  const Dataset copy = d;  // shares the bytes
  CHECK(copy.pixels().data() == d.pixels().data());
}

TEST_CASE("dataset: subset takes the examples in the order given") {
  const Dataset d = numbered(10);
  const Dataset s = d.subset({7, 2, 2});
  CHECK(s.size() == 3);
  CHECK(s.labels() == std::vector<int32_t>{7, 2, 2});
  CHECK(s.image(0)[3] == 7);
  CHECK(s.image(2)[0] == 2);
  CHECK(error_of([&] { d.subset({3, 10}); }).find("index 10 at position 1 is outside [0, 10)") != std::string::npos);
}

TEST_CASE("dataset: split_validation sizes, disjointness, order and seeding") {
  const Dataset d = numbered(1000, 1000);  // label i identifies example i
  const TrainValidation split = split_validation(d, 100, 7);
  CHECK(split.train.size() == 900);
  CHECK(split.validation.size() == 100);
  std::vector<int32_t> all = split.train.labels();
  all.insert(all.end(), split.validation.labels().begin(), split.validation.labels().end());
  std::sort(all.begin(), all.end());
  std::vector<int32_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(all == expected);  // disjoint and complete
  CHECK(std::is_sorted(split.train.labels().begin(), split.train.labels().end()));
  CHECK(std::is_sorted(split.validation.labels().begin(), split.validation.labels().end()));
  CHECK(split.validation.image(0)[0] == uint8_t(split.validation.label(0) % 256));  // pixels travel with labels

  CHECK(split_validation(d, 100, 7).validation.labels() == split.validation.labels());
  CHECK(split_validation(d, 100, 8).validation.labels() != split.validation.labels());
  CHECK(split_validation(d, 0, 7).train.size() == 1000);
  CHECK(split_validation(d, 1000, 7).validation.size() == 1000);
  CHECK(error_of([&] { split_validation(d, 1001, 7); }).find("cannot hold out 1001 of 1000") != std::string::npos);
}

TEST_CASE("dataset: channel_stats per channel, in pixel/255 units") {
  // Two 1x2 images with 2 channels: channel 0 holds {0, 255, 0, 255}, channel 1 holds {51, 51, 51, 51}.
  const Dataset d({0, 255, 51, 51, 0, 255, 51, 51}, {0, 1}, 2, 1, 2, 2);
  const ChannelStats stats = channel_stats(d);
  REQUIRE(stats.mean.size() == 2);
  CHECK(stats.mean[0] == doctest::Approx(0.5));
  CHECK(stats.stddev[0] == doctest::Approx(0.5));
  CHECK(stats.mean[1] == doctest::Approx(0.2));
  CHECK(stats.stddev[1] == doctest::Approx(0.0));
  CHECK(error_of([] { channel_stats(Dataset()); }).find("empty") != std::string::npos);
}
