#include <doctest/doctest.h>

#include "autograd/conv.h"
#include "autograd/gradcheck.h"
#include "tensor/generator.h"

using namespace sprig;

namespace {

// Convolution is linear in each input, so central differences have no truncation error and a
// large step keeps float rounding in the forward small next to it.
GradcheckOptions linear_op_options() {
  GradcheckOptions options;
  options.eps = 1e-2;
  return options;
}

struct ConvGradCase {
  const char* why;
  Shape x, w;
  int64_t stride, padding;
};

const ConvGradCase kCases[] = {
    {"3x3 same padding", {2, 3, 5, 5}, {4, 3, 3, 3}, 1, 1},
    {"stride 2, rectangular kernel, non-square input", {2, 2, 6, 7}, {3, 2, 2, 3}, 2, 1},
    {"1x1 pointwise", {2, 4, 3, 3}, {5, 4, 1, 1}, 1, 0},
};

}  // namespace

TEST_CASE("conv2d: gradients of x, weight and bias") {
  for (const ConvGradCase& c : kCases) {
    INFO(std::string(c.why));
    Generator gen(11);
    const Tensor x = normal(c.x, gen), w = normal(c.w, gen), b = normal({c.w[0]}, gen);
    const int64_t stride = c.stride, padding = c.padding;
    const auto with_bias = [=](const std::vector<Variable>& v) { return conv2d(v[0], v[1], v[2], stride, padding); };
    const auto without_bias = [=](const std::vector<Variable>& v) {
      return conv2d(v[0], v[1], Variable(), stride, padding);
    };
    const GradcheckResult all = gradcheck(with_bias, {x, w, b}, linear_op_options());
    CHECK_MESSAGE(all.ok, all.report);
    const GradcheckResult no_bias = gradcheck(without_bias, {x, w}, linear_op_options());
    CHECK_MESSAGE(no_bias.ok, no_bias.report);
    // x as a constant (a network's input): backward skips dx.
    const GradcheckResult params_only = gradcheck(with_bias, {x, w, b}, linear_op_options(), {false, true, true});
    CHECK_MESSAGE(params_only.ok, params_only.report);
  }
}

TEST_CASE("conv2d: the op's value is the tensor convolution") {
  const Variable x(Tensor::ones({1, 1, 3, 3})), w(Tensor::ones({2, 1, 2, 2})), b(Tensor::from({2}, {0, 10}));
  const Variable y = conv2d(x, w, b, 1, 0);
  CHECK(y.shape() == Shape{1, 2, 2, 2});
  CHECK(y.value().to_vector() == std::vector<float>{4, 4, 4, 4, 14, 14, 14, 14});
  CHECK_THROWS_WITH_AS(conv2d(x, Variable(Tensor::ones({2, 3, 2, 2})), Variable()),
                       doctest::Contains("conv2d: input [1, 1, 3, 3] has 1 channels but weight [2, 3, 2, 2]"), Error);
}
