#include <doctest/doctest.h>

#include "autograd/gradcheck.h"
#include "autograd/matmul.h"
#include "tensor/generator.h"

using namespace sprig;

TEST_CASE("matmul: gradients for every transpose combination") {
  const int64_t M = 3, K = 4, N = 5;
  Generator gen(1);
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      CAPTURE(ta);
      CAPTURE(tb);
      const Tensor a = normal(ta ? Shape{K, M} : Shape{M, K}, gen);
      const Tensor b = normal(tb ? Shape{N, K} : Shape{K, N}, gen);
      const auto f = [=](const std::vector<Variable>& v) { return matmul(v[0], v[1], ta, tb); };
      CHECK(matmul(Variable(a), Variable(b), ta, tb).shape() == Shape{M, N});
      const GradcheckResult both = gradcheck(f, {a, b});
      CHECK_MESSAGE(both.ok, both.report);
      const GradcheckResult only_b = gradcheck(f, {a, b}, {}, {false, true});
      CHECK_MESSAGE(only_b.ok, only_b.report);
    }
  }
}

TEST_CASE("linear: gradients with and without bias") {
  Generator gen(2);
  const Tensor x = normal({4, 3}, gen), w = normal({5, 3}, gen), b = normal({5}, gen);
  const GradcheckResult with_bias =
      gradcheck([](const std::vector<Variable>& v) { return linear(v[0], v[1], v[2]); }, {x, w, b});
  CHECK_MESSAGE(with_bias.ok, with_bias.report);
  const GradcheckResult without_bias =
      gradcheck([](const std::vector<Variable>& v) { return linear(v[0], v[1], Variable()); }, {x, w});
  CHECK_MESSAGE(without_bias.ok, without_bias.report);
}

TEST_CASE("linear: value is x W^T + b") {
  const Variable x(Tensor::from({2, 2}, {1, 2, 3, 4}));
  const Variable w(Tensor::from({3, 2}, {1, 0, 0, 1, 1, 1}));
  const Variable b(Tensor::from({3}, {10, 20, 30}));
  CHECK(linear(x, w, b).value().to_vector() == std::vector<float>{11, 22, 33, 13, 24, 37});
  CHECK(linear(x, w, Variable()).value().to_vector() == std::vector<float>{1, 2, 3, 3, 4, 7});
}

TEST_CASE("linear: bad shapes throw naming all three") {
  const Variable x(Tensor::zeros({2, 3})), w(Tensor::zeros({4, 3})), b(Tensor::zeros({5}));
  CHECK_THROWS_WITH_AS(linear(x, w, b), doctest::Contains("x [2, 3], weight [4, 3], bias [5]"), Error);
  CHECK_THROWS_WITH_AS(linear(x, Variable(Tensor::zeros({4, 2})), Variable()),
                       doctest::Contains("weight [4, 2], bias none"), Error);
  CHECK_THROWS_WITH_AS(matmul(x, w), doctest::Contains("[2, 3] x [4, 3]"), Error);
}
