// sparse_conv2d against its twin, the direct-loop convolution on the masked dense weight.
#include <doctest/doctest.h>

#include "tensor/conv.h"
#include "tensor/elementwise.h"
#include "tensor/generator.h"
#include "tensor/sparse_conv.h"

using namespace sprig;

namespace {

struct SparseConvCase {
  const char* why;
  int64_t batch, in_channels, size, out_channels, kernel, stride, padding;
  double density;
};

const SparseConvCase kCases[] = {
    {"3x3 same padding, 8x8 = 64 pixels: one image per column matrix, threads over images", 4, 3, 8, 5, 3, 1, 1, 0.3},
    {"stride 2, 5x5 output: 3 images per column matrix, the last group short", 7, 4, 9, 6, 3, 2, 1, 0.3},
    {"2x2 output: 16 images per column matrix, one group for the whole batch", 5, 8, 2, 8, 3, 1, 1, 0.3},
    {"1x1 stride 2: the projection shortcut", 3, 4, 8, 6, 1, 2, 0, 0.5},
    {"density 0: output is the bias, gradients zero", 2, 3, 6, 4, 3, 1, 1, 0.0},
    {"density 1: every tap stored", 2, 3, 6, 4, 3, 1, 1, 1.0},
    {"batch 1, 1x1 output: the kernel covers the padded input", 1, 2, 3, 3, 3, 1, 0, 0.6},
    {"a ResNet-20 layer shape at density 0.1", 8, 16, 32, 16, 3, 1, 1, 0.1},
    {"5x5 kernel, padding 2: wider shifts", 3, 3, 7, 4, 5, 1, 2, 0.4},
    {"padding 0: no border, the grid is the input itself", 3, 3, 6, 4, 3, 1, 0, 0.5},
};

float tolerance(int64_t terms) { return 1e-5f * float(terms + 1); }

// One case on one path: forward, input, weight and bias gradients against the reference.
void check_case(const SparseConvCase& c, ConvPath path) {
  INFO(c.why, path == ConvPath::direct ? " (direct)" : " (im2col)");
  const Conv2dGeometry g = conv2d_geometry({c.batch, c.in_channels, c.size, c.size},
                                           {c.out_channels, c.in_channels, c.kernel, c.kernel}, c.stride, c.padding,
                                           "test");
  Generator gen(uint64_t(c.batch * 131 + c.size));
  const Tensor x = normal({g.batch, g.in_channels, g.height, g.width}, gen);
  const Tensor w = normal({g.out_channels, g.in_channels, c.kernel, c.kernel}, gen);
  const Tensor bias = normal({g.out_channels}, gen);
  const Tensor dy = normal({g.batch, g.out_channels, g.out_h(), g.out_w()}, gen);
  Tensor mask = Tensor::empty(w.shape());
  for (int64_t i = 0; i < mask.numel(); ++i) mask.data()[i] = gen.uniform_double() < c.density ? 1.0f : 0.0f;
  const Tensor masked = w * mask;
  SparseWeight sw(mask.data(), g.out_channels, g.patch(), c.stride == 1 ? c.kernel * c.kernel : 1);
  sw.refresh(w.data());
  sw.refresh_transposes();

  Tensor y = Tensor::full(dy.shape(), 7.0f), y_ref = Tensor::empty(dy.shape());
  sparse_conv2d_forward(g, x.data(), sw, bias.data(), y.data(), path);
  conv2d_forward_reference(g, x.data(), masked.data(), bias.data(), y_ref.data());
  CHECK(max_abs_diff(y, y_ref) <= tolerance(g.patch()));

  Tensor dx = Tensor::full(x.shape(), 7.0f), dvalues = Tensor::full({sw.nnz()}, 7.0f);
  Tensor dbias = Tensor::full({g.out_channels}, 7.0f), dw = Tensor::zeros(w.shape());
  Tensor dx_ref = Tensor::empty(x.shape()), dw_ref = Tensor::empty(w.shape()), dbias_ref = Tensor::empty({g.out_channels});
  sparse_conv2d_backward(g, x.data(), sw, dy.data(), dx.data(), dvalues.data(), dbias.data(), path);
  sw.scatter(dvalues.data(), dw.data(), false);
  conv2d_backward_reference(g, x.data(), masked.data(), dy.data(), dx_ref.data(), dw_ref.data(), dbias_ref.data());
  const int64_t pixels = g.batch * g.out_h() * g.out_w();
  CHECK(max_abs_diff(dx, dx_ref) <= tolerance(g.out_channels * c.kernel * c.kernel));
  CHECK(max_abs_diff(dw, dw_ref * mask) <= tolerance(pixels));  // only kept taps get a gradient
  CHECK(max_abs_diff(dbias, dbias_ref) <= tolerance(pixels));
}

}  // namespace

// Guards against the grouped column matrices, the padded images and shifted windows of the direct
// path, the transposed or regrouped products and the per-thread weight gradients disagreeing with
// the plain convolution of the masked weight. Stride-1 cases run both paths.
TEST_CASE("sparse conv2d: matches the direct loops on the masked weight, forward and backward") {
  for (const SparseConvCase& c : kCases) {
    check_case(c, ConvPath::im2col);
    if (c.stride == 1) check_case(c, ConvPath::direct);
  }
}

// Guards against partial weight gradients summed in arrival order.
TEST_CASE("sparse conv2d: backward is bit-identical from run to run") {
  const Conv2dGeometry g = conv2d_geometry({6, 8, 16, 16}, {8, 8, 3, 3}, 1, 1, "test");
  Generator gen(3);
  const Tensor x = normal({6, 8, 16, 16}, gen), dy = normal({6, 8, 16, 16}, gen), w = normal({8, 8, 3, 3}, gen);
  Tensor mask = Tensor::empty(w.shape());
  for (int64_t i = 0; i < mask.numel(); ++i) mask.data()[i] = gen.uniform() < 0.3f ? 1.0f : 0.0f;
  SparseWeight sw(mask.data(), 8, 72, 9);
  sw.refresh(w.data());
  sw.refresh_transposes();
  for (ConvPath path : {ConvPath::im2col, ConvPath::direct}) {
    auto backward = [&] {
      Tensor dx = Tensor::empty(x.shape()), dvalues = Tensor::empty({sw.nnz()});
      sparse_conv2d_backward(g, x.data(), sw, dy.data(), dx.data(), dvalues.data(), nullptr, path);
      return std::make_pair(dx.to_vector(), dvalues.to_vector());
    };
    CHECK(backward() == backward());
  }
}

// Guards against a pattern of the wrong shape reaching the kernels.
TEST_CASE("sparse conv2d: a pattern that does not fit the geometry is refused") {
  const Conv2dGeometry g = conv2d_geometry({1, 2, 5, 5}, {3, 2, 3, 3}, 1, 0, "test");
  const Tensor mask = Tensor::ones({3, 17});
  SparseWeight sw(mask.data(), 3, 17);
  float x[50] = {}, y[27] = {};
  CHECK_THROWS_WITH_AS(sparse_conv2d_forward(g, x, sw, nullptr, y), doctest::Contains("17"), Error);
  const Conv2dGeometry strided = conv2d_geometry({1, 2, 5, 5}, {3, 2, 3, 3}, 2, 0, "test");
  const Tensor ones = Tensor::ones({3, 18});
  SparseWeight regrouped(ones.data(), 3, 18, 9), plain(ones.data(), 3, 18);
  CHECK_THROWS_WITH_AS(sparse_conv2d_forward(strided, x, regrouped, nullptr, y, ConvPath::direct),
                       doctest::Contains("stride"), Error);
  const Conv2dGeometry g1 = conv2d_geometry({1, 2, 5, 5}, {3, 2, 3, 3}, 1, 0, "test");
  CHECK_THROWS_WITH_AS(sparse_conv2d_forward(g1, x, plain, nullptr, y, ConvPath::direct), doctest::Contains("taps"),
                       Error);
}
