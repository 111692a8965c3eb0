#include <doctest/doctest.h>

#include <numeric>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/pool.h"
#include "tensor/generator.h"

using namespace sprig;

namespace {

// Distinct values 0.1 apart in random order: a perturbation of eps = 0.01 never changes which cell
// wins a max, so finite differences see no kink.
Tensor distinct_values(const Shape& shape, Generator& gen) {
  std::vector<float> order(static_cast<size_t>(shape.numel()));
  std::iota(order.begin(), order.end(), 0.0f);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[gen.integer(int64_t(i))]);
  for (float& v : order) v *= 0.1f;
  return Tensor::from(shape, order);
}

GradcheckOptions pool_options() {
  GradcheckOptions options;
  options.eps = 1e-2;  // pooling is piecewise linear: no truncation error, less rounding noise
  return options;
}

struct PoolGradCase {
  const char* why;
  Shape x;
  int64_t kernel, stride, padding;
};

const PoolGradCase kCases[] = {
    {"2x2, stride 0 = kernel", {2, 3, 4, 6}, 2, 0, 0},
    {"3x3 stride 2 padding 1", {2, 2, 7, 7}, 3, 2, 1},
    {"overlapping windows, stride 1", {1, 2, 5, 4}, 3, 1, 1},
};

}  // namespace

TEST_CASE("maxpool2d: gradient goes to each window's winner") {
  for (const PoolGradCase& c : kCases) {
    INFO(std::string(c.why));
    Generator gen(21);
    const Tensor x = distinct_values(c.x, gen);
    const int64_t kernel = c.kernel, stride = c.stride, padding = c.padding;
    const GradcheckResult result = gradcheck(
        [=](const std::vector<Variable>& v) { return maxpool2d(v[0], kernel, stride, padding); }, {x},
        pool_options());
    CHECK_MESSAGE(result.ok, result.report);
  }
}

TEST_CASE("avgpool2d: gradient spreads evenly over each window") {
  for (const PoolGradCase& c : kCases) {
    INFO(std::string(c.why));
    Generator gen(22);
    const Tensor x = normal(c.x, gen);
    const int64_t kernel = c.kernel, stride = c.stride, padding = c.padding;
    const GradcheckResult result = gradcheck(
        [=](const std::vector<Variable>& v) { return avgpool2d(v[0], kernel, stride, padding); }, {x},
        pool_options());
    CHECK_MESSAGE(result.ok, result.report);
  }
}

TEST_CASE("pool2d ops: stride 0 means stride = kernel") {
  const Variable x(Tensor::arange(16).reshape({1, 1, 4, 4}));
  CHECK(maxpool2d(x, 2).value().to_vector() == std::vector<float>{5, 7, 13, 15});
  CHECK(avgpool2d(x, 2).value().to_vector() == std::vector<float>{2.5f, 4.5f, 10.5f, 12.5f});
  CHECK(maxpool2d(x, 2, 1).shape() == Shape{1, 1, 3, 3});
  CHECK_THROWS_WITH_AS(maxpool2d(x, 2, -1), doctest::Contains("maxpool2d"), Error);
}
