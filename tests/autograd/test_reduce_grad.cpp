#include <doctest/doctest.h>

#include <numeric>

#include "autograd/reduce.h"
#include "check_grad.h"
#include "tensor/generator.h"

using namespace sprig;
using test::check_grad;
using Vars = std::vector<Variable>;

namespace {

// Distinct values, well apart, in random order: no ties or near-ties for max.
Tensor shuffled_distinct(Shape shape, Generator& gen) {
  Tensor t = Tensor::empty(std::move(shape));
  std::vector<float> values(t.numel());
  std::iota(values.begin(), values.end(), 0.0f);
  for (int64_t i = t.numel() - 1; i > 0; --i) std::swap(values[i], values[gen.integer(i + 1)]);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = 0.1f * values[i] - 1.0f;
  return t;
}

}  // namespace

TEST_CASE("reduce grad: sum and mean, whole and per axis") {
  Generator gen(21);
  const Tensor x = normal({2, 3, 4}, gen);
  check_grad([](const Vars& v) { return sum(v[0]); }, {x});
  check_grad([](const Vars& v) { return mean(v[0]); }, {x});
  for (int64_t axis : {0, 1, 2, -1}) {
    for (bool keepdim : {false, true}) {
      CAPTURE(axis);
      CAPTURE(keepdim);
      check_grad([=](const Vars& v) { return sum(v[0], axis, keepdim); }, {x});
      check_grad([=](const Vars& v) { return mean(v[0], axis, keepdim); }, {x});
    }
  }
}

TEST_CASE("reduce grad: max, whole and per axis") {
  Generator gen(22);
  const Tensor x = shuffled_distinct({3, 4, 5}, gen);
  check_grad([](const Vars& v) { return max(v[0]); }, {x});
  for (int64_t axis : {0, 1, 2, -2}) {
    for (bool keepdim : {false, true}) {
      CAPTURE(axis);
      CAPTURE(keepdim);
      check_grad([=](const Vars& v) { return max(v[0], axis, keepdim); }, {x});
    }
  }
  CHECK(max(Variable(x), 1, true).shape() == Shape{3, 1, 5});
  CHECK(mean(Variable(x), 0).shape() == Shape{4, 5});
}

TEST_CASE("reduce grad: max sends the gradient to the first maximum only") {
  Variable x(Tensor::from({2, 3}, {1, 7, 7, 4, 4, 2}), true);
  sum(max(x, 1)).backward();
  CHECK(x.grad().to_vector() == std::vector<float>{0, 1, 0, 1, 0, 0});
  Variable y(Tensor::from({4}, {3, 9, 9, 1}), true);
  max(y).backward();
  CHECK(y.grad().to_vector() == std::vector<float>{0, 1, 0, 0});
}
