#include <doctest/doctest.h>

#include <cmath>

#include "autograd/batchnorm.h"
#include "autograd/pool.h"
#include "autograd/gradcheck.h"
#include "tensor/generator.h"

using namespace sprig;

namespace {
// Normalisation is smooth, and a larger step than the default keeps the float rounding of the
// renormalised outputs out of the finite differences.
void check_grad(const DifferentiableFn& f, const std::vector<Tensor>& inputs) {
  GradcheckOptions options;
  options.eps = 1e-2;
  const GradcheckResult result = gradcheck(f, inputs, options);
  CHECK_MESSAGE(result.ok, result.report);
}
}  // namespace

TEST_CASE("batch_norm gradients in training: input, weight and bias, images and features") {
  Generator gen(1);
  for (const Shape& shape : {Shape{3, 4, 3, 2}, Shape{6, 3}, Shape{1, 2, 5}}) {
    INFO(shape);
    const int64_t c = shape[1];
    check_grad([](const std::vector<Variable>& in) { return batch_norm(in[0], in[1], in[2], {}, {}, true); },
               {normal(shape, gen, 1.0f, 2.0f), normal({c}, gen, 1.0f, 0.5f), normal({c}, gen)});
    // Without the affine step.
    check_grad([](const std::vector<Variable>& in) { return batch_norm(in[0], {}, {}, {}, {}, true); },
               {normal(shape, gen)});
  }
}

TEST_CASE("batch_norm gradients in evaluation: the running statistics are constants") {
  Generator gen(2);
  const Tensor running_mean = normal({3}, gen), running_var = uniform({3}, gen, 0.5f, 2.0f);
  check_grad(
      [&](const std::vector<Variable>& in) {
        return batch_norm(in[0], in[1], in[2], running_mean, running_var, false);
      },
      {normal({2, 3, 2, 2}, gen), normal({3}, gen, 1.0f, 0.5f), normal({3}, gen)});
}

TEST_CASE("batch_norm running statistics: momentum and the unbiased variance, as PyTorch") {
  // One channel with values 1, 2, 3, 6: mean 3, biased variance 3.5, unbiased 14/3.
  const Variable x(Tensor::from({4, 1}, {1, 2, 3, 6}));
  Tensor running_mean = Tensor::zeros({1}), running_var = Tensor::ones({1});
  const Tensor y = batch_norm(x, {}, {}, running_mean, running_var, true, 0.1, 1e-12).value();
  CHECK(running_mean.item() == doctest::Approx(0.3));
  CHECK(running_var.item() == doctest::Approx(0.9 + 0.1 * 14.0 / 3.0));
  CHECK(y.data()[3] == doctest::Approx(3.0 / std::sqrt(3.5)));  // the biased variance normalises

  // Evaluation reads the running statistics and leaves them alone.
  const Tensor z = batch_norm(x, {}, {}, running_mean, running_var, false, 0.1, 1e-12).value();
  CHECK(z.data()[0] == doctest::Approx((1.0 - 0.3) / std::sqrt(0.9 + 0.1 * 14.0 / 3.0)));
  CHECK(running_mean.item() == doctest::Approx(0.3));

  // Without running tensors training still works; momentum 0 keeps them as they are.
  CHECK(batch_norm(x, {}, {}, {}, {}, true).value().shape() == Shape{4, 1});
  batch_norm(x, {}, {}, running_mean, running_var, true, 0.0, 1e-5);
  CHECK(running_mean.item() == doctest::Approx(0.3));
}

TEST_CASE("batch_norm rejects what PyTorch rejects, naming the shapes") {
  const Variable x(Tensor::ones({2, 3, 2, 2}));
  CHECK_THROWS_WITH_AS(batch_norm(Variable(Tensor::ones({1, 3})), {}, {}, {}, {}, true),
                       doctest::Contains("more than one value per channel"), Error);
  CHECK_THROWS_WITH_AS(batch_norm(x, Variable(Tensor::ones({4})), {}, {}, {}, true), doctest::Contains("[4]"), Error);
  CHECK_THROWS_WITH_AS(batch_norm(x, {}, {}, {}, {}, false), doctest::Contains("running statistics"), Error);
  CHECK_THROWS_AS(batch_norm(x, {}, {}, Tensor::zeros({3}), {}, true), Error);
  CHECK_THROWS_AS(batch_norm(Variable(Tensor::ones({3})), {}, {}, {}, {}, true), Error);
  CHECK_THROWS_AS(batch_norm(x, {}, {}, {}, {}, true, 1.5), Error);
  CHECK_THROWS_AS(batch_norm(x, {}, {}, {}, {}, true, 0.1, 0.0), Error);
}

TEST_CASE("global_avgpool2d gradients") {
  Generator gen(3);
  check_grad([](const std::vector<Variable>& in) { return global_avgpool2d(in[0]); }, {normal({2, 3, 3, 4}, gen)});
  CHECK_THROWS_AS(global_avgpool2d(Variable(Tensor::ones({2, 3}))), Error);
}
