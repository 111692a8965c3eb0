// BatchNorm layers: names, modes, running statistics and gradients.
#include <doctest/doctest.h>

#include <cmath>

#include "check_layer.h"
#include "nn/batchnorm.h"
#include "nn/parameter_set.h"
#include "tensor/generator.h"

using namespace sprig;
using namespace sprig::nn;

namespace {
// Normalisation is smooth; a larger step keeps float rounding out of the finite differences.
GradcheckOptions smooth() {
  GradcheckOptions options;
  options.eps = 1e-2;
  return options;
}

Tensor& named_buffer(Module& m, const std::string& name) {
  for (auto& [key, tensor] : m.named_buffers())
    if (key == name) return *tensor;
  FAIL("no buffer " << name);
  throw Error("unreachable");
}
}  // namespace

TEST_CASE("BatchNorm: gamma is 'weight', beta is 'bias', neither prunable; running statistics are buffers") {
  BatchNorm2d bn({.num_features = 3});
  const auto params = bn.named_parameters();
  REQUIRE(params.size() == 2);
  CHECK(params[0].first == "weight");
  CHECK(params[1].first == "bias");
  CHECK_FALSE(params[0].second->prunable);
  CHECK_FALSE(params[1].second->prunable);
  CHECK(bn.parameter("weight").value().to_vector() == std::vector<float>{1, 1, 1});
  CHECK(bn.parameter("bias").value().to_vector() == std::vector<float>{0, 0, 0});
  const auto buffers = bn.named_buffers();
  REQUIRE(buffers.size() == 2);
  CHECK(buffers[0].first == "running_mean");
  CHECK(buffers[1].first == "running_var");
  CHECK(BatchNorm1d({.num_features = 4, .affine = false}).named_parameters().empty());
  CHECK(bn.describe() == "3");
}

TEST_CASE("BatchNorm2d gradients in training and in evaluation") {
  Generator gen(1);
  BatchNorm2d bn({.num_features = 3});
  bn.parameter("weight").value().copy_(normal({3}, gen, 1.0f, 0.5f));
  bn.parameter("bias").value().copy_(normal({3}, gen));
  test::check_layer(bn, normal({2, 3, 3, 3}, gen, 0.5f, 2.0f), smooth());
  bn.eval();
  named_buffer(bn, "running_mean").copy_(normal({3}, gen));
  named_buffer(bn, "running_var").copy_(uniform({3}, gen, 0.5f, 2.0f));
  test::check_layer(bn, normal({2, 3, 3, 3}, gen), smooth());
}

TEST_CASE("BatchNorm1d gradients, features and sequences") {
  Generator gen(2);
  BatchNorm1d bn({.num_features = 4, .eps = 1e-3, .momentum = 0.2});
  test::check_layer(bn, normal({5, 4}, gen), smooth());
  test::check_layer(bn, normal({3, 4, 2}, gen), smooth());
  bn.eval();
  test::check_layer(bn, normal({5, 4}, gen), smooth());
}

TEST_CASE("BatchNorm running statistics follow training steps; evaluation uses them") {
  Generator gen(3);
  BatchNorm2d bn({.num_features = 2, .momentum = 0.5});
  const Tensor x = normal({4, 2, 3, 3}, gen, 2.0f, 3.0f);
  bn(Variable(x));
  bn(Variable(x));
  // Two steps with momentum 0.5 from (0, 1): running = 0.75 * batch + 0.25 * initial.
  const Tensor& mean = named_buffer(bn, "running_mean");
  const Tensor& var = named_buffer(bn, "running_var");
  for (int64_t c = 0; c < 2; ++c) {
    double total = 0, squares = 0;
    for (int64_t n = 0; n < 4; ++n)
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 3; ++j) total += x.at({n, c, i, j});
    const double m = total / 36;
    for (int64_t n = 0; n < 4; ++n)
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 3; ++j) squares += (x.at({n, c, i, j}) - m) * (x.at({n, c, i, j}) - m);
    CHECK(mean.data()[c] == doctest::Approx(0.75 * m).epsilon(1e-5));
    CHECK(var.data()[c] == doctest::Approx(0.75 * squares / 35 + 0.25).epsilon(1e-5));
  }
  // Evaluation: y = (x - running_mean) / sqrt(running_var + eps), statistics untouched.
  bn.eval();
  const std::vector<float> before = mean.to_vector();
  const Tensor y = bn(Variable(x)).value();
  CHECK(mean.to_vector() == before);
  CHECK(y.at({1, 1, 2, 0}) ==
        doctest::Approx((x.at({1, 1, 2, 0}) - mean.data()[1]) / std::sqrt(var.data()[1] + 1e-5)).epsilon(1e-5));
}

TEST_CASE("BatchNorm parameters join the ParameterSet like any other") {
  BatchNorm2d bn({.num_features = 3});
  ParameterSet parameters(bn);
  CHECK(parameters.size() == 6);
  Generator gen(4);
  bn(Variable(normal({2, 3, 2, 2}, gen))).backward(normal({2, 3, 2, 2}, gen));
  CHECK(parameters.gradients().view(0, {3}).to_vector() == bn.parameter("weight").variable.grad().to_vector());
}

TEST_CASE("BatchNorm rejects bad options and inputs, naming the shape") {
  CHECK_THROWS_AS(BatchNorm2d({.num_features = 0}), Error);
  CHECK_THROWS_AS(BatchNorm2d({.num_features = 2, .eps = 0}), Error);
  CHECK_THROWS_AS(BatchNorm2d({.num_features = 2, .momentum = -0.1}), Error);
  BatchNorm2d bn2({.num_features = 3});
  CHECK_THROWS_WITH_AS(bn2(Variable(Tensor::ones({4, 3}))), doctest::Contains("[4, 3]"), Error);
  CHECK_THROWS_WITH_AS(bn2(Variable(Tensor::ones({2, 4, 2, 2}))), doctest::Contains("[2, 4, 2, 2]"), Error);
  BatchNorm1d bn1({.num_features = 3});
  CHECK_THROWS_AS(bn1(Variable(Tensor::ones({2, 3, 2, 2}))), Error);
  CHECK_THROWS_WITH_AS(bn1(Variable(Tensor::ones({1, 3}))), doctest::Contains("more than one value"), Error);
}
