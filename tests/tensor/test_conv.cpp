#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tensor/conv.h"
#include "tensor/elementwise.h"
#include "tensor/generator.h"

using namespace sprig;

namespace {

struct ConvCase {
  const char* why;
  int64_t batch, in_channels, height, width, out_channels, kernel_h, kernel_w, stride, padding;
};

// Big enough for threads: images split over threads (>= 64 output pixels) or one threaded GEMM (fewer).
const ConvCase kSplitImages{"images split over threads, one GEMM per image, odd batch", 7, 16, 16, 16, 32, 3, 3, 1, 1};
const ConvCase kWholeBatch{"4x4 outputs: the whole batch in one threaded GEMM", 7, 32, 4, 4, 40, 3, 3, 1, 1};

// Every case runs with and without bias.
const ConvCase kCases[] = {
    {"3x3 same padding: the ResNet/VGG layer", 2, 3, 8, 8, 4, 3, 3, 1, 1},
    {"stride 2 with padding: ResNet downsampling", 2, 4, 9, 9, 6, 3, 3, 2, 1},
    {"stride 2, no padding, even size: the last row and column are never read", 2, 3, 8, 8, 5, 3, 3, 2, 0},
    {"1x1, stride 1, no padding, one image: the image is its own column matrix", 1, 5, 6, 6, 7, 1, 1, 1, 0},
    {"1x1, stride 1, several small images: one GEMM, im2col is a copy", 3, 5, 6, 6, 7, 1, 1, 1, 0},
    {"1x1 stride 2: the ResNet projection shortcut goes through im2col", 2, 4, 8, 8, 8, 1, 1, 2, 0},
    {"rectangular kernel with padding", 2, 3, 7, 9, 4, 2, 5, 1, 2},
    {"non-square input", 2, 2, 5, 11, 3, 3, 3, 1, 1},
    {"batch 1: OpenBLAS threads the GEMM instead of splitting images", 1, 32, 16, 16, 32, 3, 3, 1, 1},
    {"channels not multiples of 8 or 16", 3, 7, 10, 10, 13, 3, 3, 1, 1},
    {"output 1x1: the kernel covers the whole input", 2, 3, 4, 4, 5, 4, 4, 1, 0},
    {"output 1x1 from a padded input", 2, 3, 3, 3, 4, 5, 5, 1, 1},
    {"padding larger than the kernel: border outputs see only zeros", 2, 2, 4, 4, 3, 3, 3, 1, 3},
    {"stride larger than the kernel: some pixels are never read", 2, 2, 10, 10, 3, 2, 2, 3, 0},
    kSplitImages,
    kWholeBatch,
    {"1x1 on 4x4 images: pointwise, the whole batch in one threaded GEMM", 9, 64, 4, 4, 128, 1, 1, 1, 0},
    {"1x1 images split over threads and read in place", 4, 64, 16, 16, 32, 1, 1, 1, 0},
};

Conv2dGeometry geometry_of(const ConvCase& c) {
  return conv2d_geometry({c.batch, c.in_channels, c.height, c.width}, {c.out_channels, c.in_channels, c.kernel_h,
                                                                       c.kernel_w},
                         c.stride, c.padding, "test");
}

Shape output_shape(const Conv2dGeometry& g) { return {g.batch, g.out_channels, g.out_h(), g.out_w()}; }

// Random x, w, bias and output gradient for one case.
struct ConvData {
  Conv2dGeometry g;
  Tensor x, w, bias, dy;
  explicit ConvData(const ConvCase& c, uint64_t seed = 1) : g(geometry_of(c)) {
    Generator gen(seed);
    x = normal({g.batch, g.in_channels, g.height, g.width}, gen);
    w = normal({g.out_channels, g.in_channels, g.kernel_h, g.kernel_w}, gen);
    bias = normal({g.out_channels}, gen);
    dy = normal(output_shape(g), gen);
  }
};

struct Gradients {
  Tensor dx, dw, dbias;
  explicit Gradients(const ConvData& d)
      : dx(Tensor::full(d.x.shape(), 7.0f)), dw(Tensor::full(d.w.shape(), 7.0f)),
        dbias(Tensor::full(d.bias.shape(), 7.0f)) {}  // 7s: outputs must be overwritten, not added to
};

// Float sums of n random products drift like sqrt(n); 1e-5 * (n + 1) is a loose bound.
float tolerance(int64_t terms) { return 1e-5f * float(terms + 1); }

}  // namespace

TEST_CASE("conv2d: im2col + GEMM matches the direct loops, forward and backward") {
  for (const ConvCase& c : kCases)
    for (bool with_bias : {true, false}) {
      INFO(std::string(c.why));
      CAPTURE(with_bias);
      const ConvData d(c);
      const Conv2dGeometry& g = d.g;
      const float* bias = with_bias ? d.bias.data() : nullptr;
      Tensor y = Tensor::full(output_shape(g), 7.0f), y_ref = Tensor::empty(output_shape(g));
      conv2d_forward(g, d.x.data(), d.w.data(), bias, y.data());
      conv2d_forward_reference(g, d.x.data(), d.w.data(), bias, y_ref.data());
      CHECK(max_abs_diff(y, y_ref) <= tolerance(g.patch()));

      Gradients fast(d), ref(d);
      conv2d_backward(g, d.x.data(), d.w.data(), d.dy.data(), fast.dx.data(), fast.dw.data(), fast.dbias.data());
      conv2d_backward_reference(g, d.x.data(), d.w.data(), d.dy.data(), ref.dx.data(), ref.dw.data(),
                                ref.dbias.data());
      CHECK(max_abs_diff(fast.dx, ref.dx) <= tolerance(g.out_channels * g.kernel_h * g.kernel_w));
      CHECK(max_abs_diff(fast.dw, ref.dw) <= tolerance(g.batch * g.out_h() * g.out_w()));
      CHECK(max_abs_diff(fast.dbias, ref.dbias) <= tolerance(g.batch * g.out_h() * g.out_w()));
    }
}

TEST_CASE("conv2d: the tensor-level op adds the bias per output channel") {
  const ConvData d(kCases[1]);
  const Tensor with = conv2d(d.x, d.w, d.bias, d.g.stride, d.g.padding);
  const Tensor without = conv2d(d.x, d.w, Tensor(), d.g.stride, d.g.padding);
  CHECK(with.shape() == output_shape(d.g));
  const int64_t plane = d.g.out_h() * d.g.out_w();
  float worst = 0.0f;
  for (int64_t i = 0; i < with.numel(); ++i) {
    const float expected = without.data()[i] + d.bias.data()[(i / plane) % d.g.out_channels];
    worst = std::max(worst, std::abs(with.data()[i] - expected));
  }
  CHECK(worst <= 1e-5f);
}

TEST_CASE("conv2d: col2im is the adjoint of im2col") {
  // <im2col(x), c> == <x, col2im(c)> for any x and c: col2im is the exact transpose, padding included.
  const ConvData d(ConvCase{"", 1, 3, 7, 6, 1, 3, 2, 2, 1});
  const Conv2dGeometry& g = d.g;
  Generator gen(5);
  const Tensor cols_in = normal({g.patch(), g.out_h() * g.out_w()}, gen);
  Tensor cols = Tensor::empty(cols_in.shape()), back = Tensor::zeros(d.x.shape());
  im2col(g, d.x.data(), cols.data());
  col2im(g, cols_in.data(), back.data());
  double lhs = 0.0, rhs = 0.0;
  for (int64_t i = 0; i < cols.numel(); ++i) lhs += double(cols.data()[i]) * cols_in.data()[i];
  for (int64_t i = 0; i < back.numel(); ++i) rhs += double(d.x.data()[i]) * back.data()[i];
  CHECK(lhs == doctest::Approx(rhs).epsilon(1e-5));
}

TEST_CASE("conv2d: backward is bit-identical from run to run") {
  // Per-thread partial weight gradients are summed in thread order, never in arrival order.
  for (const ConvCase& c : {kSplitImages, kWholeBatch}) {
    INFO(std::string(c.why));
    const ConvData d(c);
    Gradients first(d), second(d);
    conv2d_backward(d.g, d.x.data(), d.w.data(), d.dy.data(), first.dx.data(), first.dw.data(),
                    first.dbias.data());
    conv2d_backward(d.g, d.x.data(), d.w.data(), d.dy.data(), second.dx.data(), second.dw.data(),
                    second.dbias.data());
    CHECK(first.dx.to_vector() == second.dx.to_vector());
    CHECK(first.dw.to_vector() == second.dw.to_vector());
    CHECK(first.dbias.to_vector() == second.dbias.to_vector());
  }
}

TEST_CASE("conv2d: backward without dx or dbias still computes dw") {
  for (const ConvCase& c : {kCases[0], kCases[3], kSplitImages}) {
    INFO(std::string(c.why));
    const ConvData d(c);
    Gradients all(d), only_dw(d);
    conv2d_backward(d.g, d.x.data(), d.w.data(), d.dy.data(), all.dx.data(), all.dw.data(), all.dbias.data());
    conv2d_backward(d.g, d.x.data(), d.w.data(), d.dy.data(), nullptr, only_dw.dw.data(), nullptr);
    CHECK(all.dw.to_vector() == only_dw.dw.to_vector());
  }
}

TEST_CASE("conv2d: bad shapes throw naming the op and the shapes") {
  const Tensor x = Tensor::zeros({2, 3, 8, 8}), w = Tensor::zeros({4, 3, 3, 3});
  CHECK_THROWS_WITH_AS(conv2d(Tensor::zeros({3, 8, 8}), w, Tensor()),
                       doctest::Contains("conv2d: expected input [N, C, H, W] but got [3, 8, 8]"), Error);
  CHECK_THROWS_WITH_AS(conv2d(x, Tensor::zeros({4, 3, 3}), Tensor()), doctest::Contains("[4, 3, 3]"), Error);
  CHECK_THROWS_WITH_AS(conv2d(x, Tensor::zeros({4, 5, 3, 3}), Tensor()),
                       doctest::Contains("conv2d: input [2, 3, 8, 8] has 3 channels but weight [4, 5, 3, 3]"),
                       Error);
  CHECK_THROWS_WITH_AS(conv2d(x, Tensor::zeros({4, 3, 9, 3}), Tensor()),
                       doctest::Contains("kernel 9x3 of weight [4, 3, 9, 3] does not fit input [2, 3, 8, 8]"),
                       Error);
  CHECK_NOTHROW(conv2d(x, Tensor::zeros({4, 3, 9, 3}), Tensor(), 1, 1));  // fits once padded
  CHECK_THROWS_WITH_AS(conv2d(x, w, Tensor(), 0), doctest::Contains("conv2d: stride must be at least 1, got 0"),
                       Error);
  CHECK_THROWS_WITH_AS(conv2d(x, w, Tensor(), 1, -1),
                       doctest::Contains("conv2d: padding must be non-negative, got -1"), Error);
  CHECK_THROWS_WITH_AS(conv2d(x, w, Tensor::zeros({3})), doctest::Contains("conv2d: expected bias [4]"), Error);
  CHECK_THROWS_WITH_AS(conv2d(x, w, Tensor::zeros({4, 1})), doctest::Contains("but got [4, 1]"), Error);
  CHECK_THROWS_WITH_AS(conv2d(Tensor::zeros({0, 3, 8, 8}), w, Tensor()),
                       doctest::Contains("sizes must be positive, got input [0, 3, 8, 8]"), Error);
}
