#include "data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "tensor/generator.h"

namespace sprig {

Dataset::Dataset(std::vector<uint8_t> pixels, std::vector<int32_t> labels, int64_t channels, int64_t height,
                 int64_t width, int32_t num_classes)
    : channels_(channels), height_(height), width_(width), num_classes_(num_classes) {
  SPRIG_CHECK(channels > 0 && height > 0 && width > 0, "Dataset: expected positive image sizes but got [C, H, W] = ",
              Shape{channels, height, width});
  SPRIG_CHECK(num_classes > 0, "Dataset: expected a positive class count but got ", num_classes);
  int64_t per_image = 0, expected = 0;  // checked products: a header claiming huge sizes must not overflow
  SPRIG_CHECK(!__builtin_mul_overflow(channels, height, &per_image) && !__builtin_mul_overflow(per_image, width, &per_image) &&
                  !__builtin_mul_overflow(int64_t(labels.size()), per_image, &expected),
              "Dataset: ", labels.size(), " images of [C, H, W] = ", Shape{channels, height, width},
              " are more pixels than fit in 64 bits");
  SPRIG_CHECK(int64_t(pixels.size()) == expected, "Dataset: ", labels.size(), " labels of ",
              Shape{channels, height, width}, " images need ", expected, " pixels but got ", pixels.size());
  for (size_t i = 0; i < labels.size(); ++i)
    SPRIG_CHECK(labels[i] >= 0 && labels[i] < num_classes, "Dataset: label ", labels[i], " at index ", i,
                " is outside [0, ", num_classes, ")");
  pixels_ = std::make_shared<const std::vector<uint8_t>>(std::move(pixels));
  labels_ = std::make_shared<const std::vector<int32_t>>(std::move(labels));
}

std::vector<int64_t> Dataset::class_counts() const {
  std::vector<int64_t> counts(size_t(num_classes_), 0);
  for (int32_t label : *labels_) ++counts[size_t(label)];
  return counts;
}

Dataset Dataset::subset(const std::vector<int64_t>& indices) const {
  const int64_t n = example_numel();
  std::vector<uint8_t> pixels(indices.size() * size_t(n));
  std::vector<int32_t> labels(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    const int64_t i = indices[k];
    SPRIG_CHECK(i >= 0 && i < size(), "Dataset::subset: index ", i, " at position ", k, " is outside [0, ", size(),
                ")");
    std::memcpy(pixels.data() + k * size_t(n), image(i), size_t(n));
    labels[k] = label(i);
  }
  return Dataset(std::move(pixels), std::move(labels), channels_, height_, width_, num_classes_);
}

TrainValidation split_validation(const Dataset& dataset, int64_t count, uint64_t seed) {
  const int64_t n = dataset.size();
  SPRIG_CHECK(count >= 0 && count <= n, "split_validation: cannot hold out ", count, " of ", n, " examples");
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[size_t(i)] = i;
  Generator gen(seed);
  for (int64_t i = 0; i < count; ++i)  // partial Fisher-Yates: the first `count` are a uniform sample
    std::swap(order[size_t(i)], order[size_t(i + gen.integer(n - i))]);
  std::vector<int64_t> validation(order.begin(), order.begin() + count);
  std::vector<int64_t> train(order.begin() + count, order.end());
  std::sort(validation.begin(), validation.end());
  std::sort(train.begin(), train.end());
  return {dataset.subset(train), dataset.subset(validation)};
}

ChannelStats channel_stats(const Dataset& dataset) {
  const int64_t n = dataset.size(), plane = dataset.height() * dataset.width();
  SPRIG_CHECK(n > 0, "channel_stats: the dataset is empty");
  ChannelStats stats;
  for (int64_t c = 0; c < dataset.channels(); ++c) {
    // Integer sums are exact, so the result is the same whatever the thread count.
    uint64_t sum = 0, sum_squares = 0;
#pragma omp parallel for schedule(static) reduction(+ : sum, sum_squares) if (n * plane > (1 << 20))
    for (int64_t i = 0; i < n; ++i) {
      const uint8_t* p = dataset.image(i) + c * plane;
      for (int64_t j = 0; j < plane; ++j) {
        sum += p[j];
        sum_squares += uint32_t(p[j]) * p[j];
      }
    }
    const double count = double(n) * double(plane);
    const double mean = double(sum) / count, mean_square = double(sum_squares) / count;
    stats.mean.push_back(float(mean / 255.0));
    stats.stddev.push_back(float(std::sqrt(std::max(0.0, mean_square - mean * mean)) / 255.0));
  }
  return stats;
}

}  // namespace sprig
