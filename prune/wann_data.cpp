#include "prune/wann_data.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tensor/error.h"
#include "tensor/generator.h"

namespace sprig::prune {

namespace {

// share[o * in + i]: the fraction of output cell o (of `out` cells over `in` pixels) that pixel i covers.
std::vector<double> area_shares(int64_t in, int64_t out) {
  std::vector<double> share(size_t(in * out), 0.0);
  const double scale = double(in) / double(out);
  for (int64_t o = 0; o < out; ++o) {
    const double begin = double(o) * scale, end = double(o + 1) * scale;
    for (int64_t i = int64_t(std::floor(begin)); i < std::min<int64_t>(in, int64_t(std::ceil(end))); ++i)
      share[size_t(o * in + i)] = (std::min(end, double(i + 1)) - std::max(begin, double(i))) / scale;
  }
  return share;
}

}  // namespace

// image [C, H, W] -> [C, height, width]: rows then columns, each a product with the shares.
Dataset resize_area(const Dataset& dataset, int64_t height, int64_t width) {
  SPRIG_CHECK(height >= 1 && width >= 1, "resize_area: expected a positive size, got ", height, "x", width);
  const int64_t C = dataset.channels(), H = dataset.height(), W = dataset.width(), N = dataset.size();
  const std::vector<double> rows = area_shares(H, height), cols = area_shares(W, width);
  std::vector<uint8_t> pixels(size_t(N * C * height * width));
  std::vector<double> tall(size_t(H * width));  // one channel resized along its columns
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const uint8_t* src = dataset.image(n) + c * H * W;
      for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < width; ++x) {
          double sum = 0.0;
          for (int64_t i = 0; i < W; ++i) sum += cols[size_t(x * W + i)] * src[y * W + i];
          tall[size_t(y * width + x)] = sum;
        }
      uint8_t* dst = pixels.data() + ((n * C + c) * height) * width;
      for (int64_t y = 0; y < height; ++y)
        for (int64_t x = 0; x < width; ++x) {
          double sum = 0.0;
          for (int64_t i = 0; i < H; ++i) sum += rows[size_t(y * H + i)] * tall[size_t(i * width + x)];
          dst[y * width + x] = uint8_t(std::clamp(std::lround(sum), 0L, 255L));
        }
    }
  return Dataset(std::move(pixels), dataset.labels(), C, height, width, dataset.num_classes());
}

WannBatch wann_batch(const Dataset& dataset, const std::vector<int64_t>& indices) {
  const int64_t B = int64_t(indices.size()), P = dataset.example_numel();
  WannBatch batch{Tensor::empty({P + 1, B}), {}};
  float* x = batch.inputs.data();
  for (int64_t b = 0; b < B; ++b) {
    const int64_t i = indices[size_t(b)];
    SPRIG_CHECK(i >= 0 && i < dataset.size(), "wann_batch: index ", i, " outside the dataset's ", dataset.size());
    const uint8_t* image = dataset.image(i);
    for (int64_t p = 0; p < P; ++p) x[p * B + b] = float(image[p]) / 255.0f;
    x[P * B + b] = 1.0f;
    batch.labels.push_back(dataset.label(i));
  }
  return batch;
}

WannBatch wann_batch(const Dataset& dataset) {
  std::vector<int64_t> all(size_t(dataset.size()));
  std::iota(all.begin(), all.end(), 0);
  return wann_batch(dataset, all);
}

// A partial Fisher-Yates shuffle: the first `count` places of a random permutation.
std::vector<int64_t> sample_indices(int64_t n, int64_t count, uint64_t seed, uint64_t stream) {
  SPRIG_CHECK(count >= 0 && count <= n, "sample_indices: cannot draw ", count, " of ", n);
  Generator gen = Generator(seed).split(stream);
  std::vector<int64_t> all(static_cast<size_t>(n));
  std::iota(all.begin(), all.end(), 0);
  for (int64_t k = 0; k < count; ++k) std::swap(all[size_t(k)], all[size_t(k + gen.integer(n - k))]);
  all.resize(size_t(count));
  std::sort(all.begin(), all.end());
  return all;
}

}  // namespace sprig::prune
