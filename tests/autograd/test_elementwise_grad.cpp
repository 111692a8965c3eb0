#include <doctest/doctest.h>

#include "autograd/arithmetic.h"
#include "autograd/reduce.h"
#include "autograd/unary.h"
#include "check_grad.h"
#include "tensor/generator.h"

using namespace sprig;
using test::away_from_zero;
using test::check_grad;
using Vars = std::vector<Variable>;

TEST_CASE("arithmetic grad: + - * / on equal and broadcast shapes") {
  Generator gen(11);
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{4}, {3, 4}}, {{2, 1, 3}, {4, 1}}, {{2, 3}, {}}, {{1}, {2, 3}},
      {{2, 3, 2, 2}, {1, 3, 1, 1}}};
  for (const auto& [sa, sb] : shapes) {
    CAPTURE(sa);
    CAPTURE(sb);
    const Tensor a = normal(sa, gen);
    const Tensor b = away_from_zero(sb, gen, 0.5f, 2.0f);  // a divisor away from 0
    check_grad([](const Vars& v) { return v[0] + v[1]; }, {a, b});
    check_grad([](const Vars& v) { return v[0] - v[1]; }, {a, b});
    check_grad([](const Vars& v) { return v[0] * v[1]; }, {a, b});
    check_grad([](const Vars& v) { return v[0] / v[1]; }, {a, b});
    check_grad([](const Vars& v) { return v[0] / v[1]; }, {a, b}, {false, true});  // only the divisor
  }
}

TEST_CASE("arithmetic grad: scalar forms and pow") {
  Generator gen(12);
  const Tensor x = normal({3, 5}, gen);
  check_grad([](const Vars& v) { return v[0] + 2.5f; }, {x});
  check_grad([](const Vars& v) { return v[0] * -1.5f; }, {x});
  const Tensor positive = uniform({3, 5}, gen, 0.5f, 2.0f);
  for (float exponent : {2.0f, 3.0f, 0.5f, -1.0f, 1.0f, 0.0f}) {
    CAPTURE(exponent);
    check_grad([exponent](const Vars& v) { return pow(v[0], exponent); }, {positive});
  }
  check_grad([](const Vars& v) { return pow(v[0], 3.0f); }, {x});  // integer powers of negatives
}

TEST_CASE("unary grad: every function") {
  Generator gen(13);
  const Tensor x = away_from_zero({4, 3}, gen);
  const Tensor positive = uniform({4, 3}, gen, 0.5f, 2.0f);
  check_grad([](const Vars& v) { return -v[0]; }, {x});
  check_grad([](const Vars& v) { return exp(v[0]); }, {x});
  check_grad([](const Vars& v) { return log(v[0]); }, {positive});
  check_grad([](const Vars& v) { return relu(v[0]); }, {x});
  check_grad([](const Vars& v) { return sigmoid(v[0]); }, {x});
  check_grad([](const Vars& v) { return tanh(v[0]); }, {x});
  check_grad([](const Vars& v) { return abs(v[0]); }, {x});
  check_grad([](const Vars& v) { return sign(v[0]) + v[0]; }, {x});
  check_grad([](const Vars& v) { return sqrt(v[0]); }, {positive});
  check_grad([](const Vars& v) { return sigmoid(tanh(v[0]) * exp(v[0])); }, {x});  // chained
}

TEST_CASE("unary grad: kinks and sign") {
  Variable x(Tensor::from({3}, {-1, 0, 2}), true);
  sum(abs(x)).backward();
  CHECK(x.grad().to_vector() == std::vector<float>{-1, 0, 1});  // 0 at 0
  x.zero_grad();
  sum(relu(x)).backward();
  CHECK(x.grad().to_vector() == std::vector<float>{0, 0, 1});
  Variable y(Tensor::from({2}, {-3, 4}), true);
  sum(sign(y)).backward();  // runs, with a zero gradient
  CHECK(y.grad().to_vector() == std::vector<float>{0, 0});
}

TEST_CASE("grad accumulates when a variable is used twice") {
  Generator gen(14);
  const Tensor value = normal({2, 3}, gen);
  check_grad([](const Vars& v) { return v[0] * v[0] + v[0]; }, {value});
  Variable x(value, true);
  sum(x * x + x).backward();
  for (int64_t i = 0; i < value.numel(); ++i) CHECK(x.grad().data()[i] == doctest::Approx(2 * value.data()[i] + 1));
  // A second backward adds to the existing gradient.
  sum(x * 3.0f).backward();
  for (int64_t i = 0; i < value.numel(); ++i) CHECK(x.grad().data()[i] == doctest::Approx(2 * value.data()[i] + 4));
}
