#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tensor/elementwise.h"
#include "tensor/generator.h"
#include "tensor/pool.h"

using namespace sprig;

namespace {

struct PoolCase {
  const char* why;
  int64_t batch, channels, height, width, kernel, stride, padding;
};

const PoolCase kCases[] = {
    {"2x2 stride 2: the VGG pool", 2, 3, 8, 8, 2, 2, 0},
    {"3x3 stride 2 padding 1: the ResNet stem pool", 2, 3, 9, 9, 3, 2, 1},
    {"overlapping windows (stride 1): cells shared by several outputs", 2, 2, 6, 6, 3, 1, 1},
    {"non-square input with odd sizes: the last row is never read", 2, 3, 7, 10, 2, 2, 0},
    {"kernel as large as the input: global pooling to 1x1", 2, 4, 5, 5, 5, 5, 0},
    {"batch 1, channels not a multiple of 8", 1, 5, 6, 6, 2, 2, 0},
    {"stride larger than the kernel: some pixels are never read", 2, 3, 9, 9, 2, 3, 0},
    {"input narrower than the kernel: every window sticks out of a side", 1, 2, 5, 2, 3, 1, 1},
    {"3x3 stride 3 padding 1: windows stick out on both sides", 2, 2, 7, 7, 3, 3, 1},
    {"many planes: split over threads", 8, 32, 16, 16, 2, 2, 0},
};

Pool2dGeometry geometry_of(const PoolCase& c) {
  return pool2d_geometry({c.batch, c.channels, c.height, c.width}, c.kernel, c.stride, c.padding, "test");
}

Shape output_shape(const Pool2dGeometry& g) { return {g.batch, g.channels, g.out_h(), g.out_w()}; }
Shape input_shape(const Pool2dGeometry& g) { return {g.batch, g.channels, g.height, g.width}; }

}  // namespace

TEST_CASE("maxpool2d: fast path matches the reference, values and winners") {
  for (const PoolCase& c : kCases) {
    INFO(std::string(c.why));
    const Pool2dGeometry g = geometry_of(c);
    Generator gen(3);
    const Tensor x = normal(input_shape(g), gen);
    Tensor y = Tensor::empty(output_shape(g)), y_ref = Tensor::empty(output_shape(g));
    std::vector<int32_t> winners(y.numel()), winners_ref(y.numel());
    maxpool2d_forward(g, x.data(), y.data(), winners.data());
    maxpool2d_forward_reference(g, x.data(), y_ref.data(), winners_ref.data());
    CHECK(y.to_vector() == y_ref.to_vector());
    CHECK(winners == winners_ref);

    // Backward: each output's gradient lands on its winner, so dx sums dy over the outputs a cell won.
    const Tensor dy = normal(output_shape(g), gen);
    Tensor dx = Tensor::full(input_shape(g), 7.0f);
    maxpool2d_backward(g, dy.data(), winners.data(), dx.data());
    std::vector<double> expected(x.numel(), 0.0);
    const int64_t out_plane = g.out_h() * g.out_w(), in_plane = g.height * g.width;
    for (int64_t o = 0; o < dy.numel(); ++o) expected[o / out_plane * in_plane + winners[o]] += dy.data()[o];
    float worst = 0.0f;
    for (int64_t i = 0; i < dx.numel(); ++i) worst = std::max(worst, float(std::abs(dx.data()[i] - expected[i])));
    CHECK(worst <= 1e-5f);
  }
}

TEST_CASE("avgpool2d: fast path matches the reference, forward and backward") {
  for (const PoolCase& c : kCases) {
    INFO(std::string(c.why));
    const Pool2dGeometry g = geometry_of(c);
    Generator gen(4);
    const Tensor x = normal(input_shape(g), gen), dy = normal(output_shape(g), gen);
    Tensor y = Tensor::full(output_shape(g), 7.0f), y_ref = Tensor::empty(output_shape(g));
    avgpool2d_forward(g, x.data(), y.data());
    avgpool2d_forward_reference(g, x.data(), y_ref.data());
    CHECK(max_abs_diff(y, y_ref) <= 1e-5f * float(g.kernel * g.kernel));
    Tensor dx = Tensor::full(input_shape(g), 7.0f), dx_ref = Tensor::empty(input_shape(g));
    avgpool2d_backward(g, dy.data(), dx.data());
    avgpool2d_backward_reference(g, dy.data(), dx_ref.data());
    CHECK(max_abs_diff(dx, dx_ref) <= 1e-5f * float(g.kernel * g.kernel));
  }
}

TEST_CASE("maxpool2d: ties go to the first cell, padded cells never win") {
  // All-equal input: every window's first inside cell (row-major) wins.
  Tensor ones = Tensor::ones({1, 1, 4, 4});
  std::vector<int32_t> winners;
  const Tensor y = maxpool2d(ones, 3, 1, 1, &winners);
  CHECK(y.to_vector() == std::vector<float>(16, 1.0f));
  CHECK(winners[0] == 0);   // window rows -1..1, cols -1..1: first inside cell is (0, 0)
  CHECK(winners[5] == 0);   // output (1, 1): window rows 0..2, cols 0..2
  CHECK(winners[15] == 10);  // output (3, 3): window rows 2..4, cols 2..4: first inside cell is (2, 2)
  // Negative input: a padded zero would beat every real cell if padding could win.
  const Tensor negative = Tensor::from({1, 1, 2, 2}, {-4, -3, -2, -1});
  CHECK(maxpool2d(negative, 2, 2, 1).to_vector() == std::vector<float>{-4, -3, -2, -1});
  Pool2dGeometry g = pool2d_geometry(negative.shape(), 2, 2, 1, "test");
  std::vector<float> y_ref(4);
  std::vector<int32_t> winners_ref(4);
  maxpool2d_forward_reference(g, negative.data(), y_ref.data(), winners_ref.data());
  CHECK(y_ref == std::vector<float>{-4, -3, -2, -1});
  CHECK(winners_ref == std::vector<int32_t>{0, 1, 2, 3});
}

TEST_CASE("avgpool2d: padded cells count as zeros in the average") {
  // count_include_pad: the corner window of a 2x2 image, 3x3 kernel, padding 1, holds 4 ones and 5 zeros.
  const Tensor y = avgpool2d(Tensor::ones({1, 1, 2, 2}), 3, 1, 1);
  CHECK(y.to_vector() == std::vector<float>(4, 4.0f / 9.0f));
}

TEST_CASE("pool2d: bad shapes throw naming the op and the shapes") {
  const Tensor x = Tensor::zeros({2, 3, 8, 8});
  CHECK_THROWS_WITH_AS(maxpool2d(Tensor::zeros({3, 8, 8}), 2, 2, 0),
                       doctest::Contains("maxpool2d: expected input [N, C, H, W] but got [3, 8, 8]"), Error);
  CHECK_THROWS_WITH_AS(avgpool2d(x, 9, 1, 0), doctest::Contains("avgpool2d: kernel 9 does not fit input [2, 3, 8, 8]"),
                       Error);
  CHECK_THROWS_WITH_AS(maxpool2d(x, 3, 1, 2),
                       doctest::Contains("maxpool2d: padding must be between 0 and kernel / 2 = 1, got 2"), Error);
  CHECK_THROWS_WITH_AS(maxpool2d(x, 2, 2, -1), doctest::Contains("got -1 for input [2, 3, 8, 8]"), Error);
  CHECK_THROWS_WITH_AS(avgpool2d(x, 2, 0, 0), doctest::Contains("avgpool2d: kernel and stride must be at least 1"),
                       Error);
  CHECK_THROWS_WITH_AS(avgpool2d(x, 0, 1, 0), doctest::Contains("got kernel 0"), Error);
  CHECK_THROWS_WITH_AS(maxpool2d(Tensor::zeros({2, 0, 8, 8}), 2, 2, 0),
                       doctest::Contains("sizes must be positive, got input [2, 0, 8, 8]"), Error);
}
