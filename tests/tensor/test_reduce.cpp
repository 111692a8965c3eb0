#include <doctest/doctest.h>

#include <cmath>

#include "tensor/elementwise.h"
#include "tensor/generator.h"
#include "tensor/reduce.h"
#include "tensor/runtime.h"

using namespace sprig;

namespace {

// Plain-loop reference for a per-axis sum, in double.
Tensor reference_sum(const Tensor& a, int64_t axis) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= a.shape()[d];
  for (int64_t d = axis + 1; d < a.dim(); ++d) inner *= a.shape()[d];
  const int64_t n = a.shape()[axis];
  Shape shape = a.shape();
  shape.erase(shape.begin() + axis);
  Tensor y = Tensor::empty(shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double total = 0;
      for (int64_t k = 0; k < n; ++k) total += a.data()[(o * n + k) * inner + i];
      y.data()[o * inner + i] = static_cast<float>(total);
    }
  return y;
}

// Plain-loop reference for sum_to: every element added into the target index it broadcasts from.
Tensor reference_sum_to(const Tensor& a, const Shape& target) {
  Tensor y = Tensor::zeros(target);
  const int64_t rank = a.dim(), lead = rank - static_cast<int64_t>(target.size());
  for (int64_t flat = 0; flat < a.numel(); ++flat) {
    int64_t rest = flat, index = 0, stride = 1;
    for (int64_t d = rank - 1; d >= lead; --d) {
      const int64_t i = rest % a.shape()[d];
      rest /= a.shape()[d];
      if (target[d - lead] != 1) index += i * stride;
      stride *= target[d - lead];
    }
    y.data()[index] += a.data()[flat];
  }
  return y;
}

}  // namespace

TEST_CASE("reduce: whole-tensor known values") {
  const Tensor a = Tensor::from({2, 3}, {1, 5, 3, -2, 5, 0});
  CHECK(sum(a).dim() == 0);
  CHECK(sum(a).item() == 12.0f);
  CHECK(mean(a).item() == 2.0f);
  CHECK(max(a).item() == 5.0f);
  CHECK(argmax(a) == 1);  // the first of two maxima
  CHECK(sum(Tensor::scalar(4)).item() == 4.0f);
  CHECK(max(Tensor::scalar(-4)).item() == -4.0f);
  CHECK(sum(Tensor::zeros({0, 3})).item() == 0.0f);
  CHECK(std::isnan(mean(Tensor::zeros({0})).item()));
}

TEST_CASE("reduce: per-axis known values, keepdim and negative axes") {
  const Tensor a = Tensor::from({2, 3}, {1, 5, 3, -2, 5, 0});
  CHECK(sum(a, 0).to_vector() == std::vector<float>{-1, 10, 3});
  CHECK(sum(a, 0).shape() == Shape{3});
  CHECK(sum(a, 0, true).shape() == Shape{1, 3});
  CHECK(sum(a, -1).to_vector() == std::vector<float>{9, 3});
  CHECK(sum(a, 1, true).shape() == Shape{2, 1});
  CHECK(mean(a, 1).to_vector() == std::vector<float>{3, 1});
  CHECK(mean(a, 0, true).shape() == Shape{1, 3});
  CHECK(max(a, 1).to_vector() == std::vector<float>{5, 5});
  CHECK(max(a, 0).to_vector() == std::vector<float>{1, 5, 3});
  CHECK(max(a, 0, true).shape() == Shape{1, 3});
  CHECK(argmax(a, 1) == std::vector<int64_t>{1, 1});
  CHECK(argmax(a, 0) == std::vector<int64_t>{0, 0, 0});  // ties go to the first
  const Tensor b = Tensor::from({2, 2, 2}, {0, 9, 4, 1, 7, 2, 3, 8});
  CHECK(argmax(b, 1) == std::vector<int64_t>{1, 0, 0, 1});
  CHECK(max(b, 1).to_vector() == std::vector<float>{4, 9, 7, 8});
  CHECK(sum(b, 1).to_vector() == std::vector<float>{4, 10, 10, 10});
  CHECK(sum(Tensor::zeros({2, 0, 3}), 1).to_vector() == std::vector<float>(6, 0.0f));  // empty axis sums to 0
}

TEST_CASE("reduce: per-axis sums and maxima match plain loops, including threaded sizes") {
  Generator gen(4);
  const std::vector<std::pair<Shape, int64_t>> cases = {
      {{7, 13}, 0},      {{7, 13}, 1},       {{3, 5, 17}, 1},   {{1}, 0},
      {{3, 50000}, 1},   {{50000, 3}, 0},    {{40, 1000, 3}, 1}, {{5, 3000}, 0},
      {{1, 70000}, 1},   {{70000, 1}, 0},    {{2, 3, 4, 5}, 3}, {{2, 3, 4, 5}, 0}};
  for (const auto& [shape, axis] : cases) {
    CAPTURE(shape);
    CAPTURE(axis);
    const Tensor a = normal(shape, gen);
    const Tensor expected = reference_sum(a, axis);
    CHECK(max_abs_diff(sum(a, axis), expected) <= 1e-5f * static_cast<float>(shape[axis]));

    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
    for (int64_t d = axis + 1; d < a.dim(); ++d) inner *= shape[d];
    const std::vector<int64_t> where = argmax(a, axis);
    const Tensor top = max(a, axis);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t best = 0;
        for (int64_t k = 1; k < shape[axis]; ++k)
          if (a.data()[(o * shape[axis] + k) * inner + i] > a.data()[(o * shape[axis] + best) * inner + i]) best = k;
        REQUIRE(where[o * inner + i] == best);
        REQUIRE(top.data()[o * inner + i] == a.data()[(o * shape[axis] + best) * inner + i]);
      }
  }
}

TEST_CASE("reduce: whole sums are accurate and do not depend on the thread count") {
  Generator gen(5);
  const Tensor a = add(normal({1000003}, gen), 1.0f);
  double expected = 0;
  for (float x : a.to_vector()) expected += x;
  const float many_threads = sum(a).item();
  CHECK(many_threads == doctest::Approx(expected).epsilon(1e-6));
  CHECK(sum(a).item() == many_threads);
  const int threads = num_threads();
  set_num_threads(1);
  const float one_thread = sum(a).item();
  const int64_t one_thread_argmax = argmax(a);
  set_num_threads(threads);
  CHECK(one_thread == many_threads);
  CHECK(argmax(a) == one_thread_argmax);
  CHECK(mean(a).item() == doctest::Approx(expected / a.numel()).epsilon(1e-6));

  // Next to 1e8 a float accumulator drops every +1 (float spacing there is 8); double keeps them.
  Tensor ones = Tensor::ones({1 << 20});
  ones.data()[0] = 1e8f;
  CHECK(sum(ones).item() == doctest::Approx(1e8 + (1 << 20) - 1).epsilon(1e-7));
}

TEST_CASE("reduce: argmax finds the first maximum in a large tensor") {
  Tensor a = Tensor::zeros({100000});
  a.data()[70000] = 3.0f;
  a.data()[90000] = 3.0f;
  a.data()[5] = 2.0f;
  CHECK(argmax(a) == 70000);
  CHECK(max(a).item() == 3.0f);
}

TEST_CASE("reduce: empty maxima and bad axes throw with the shape") {
  CHECK_THROWS_WITH_AS(max(Tensor::zeros({0, 3})), doctest::Contains("[0, 3]"), Error);
  CHECK_THROWS_WITH_AS(argmax(Tensor::zeros({0})), doctest::Contains("argmax"), Error);
  CHECK_THROWS_WITH_AS(max(Tensor::zeros({2, 0}), 1), doctest::Contains("max: axis 1 of shape [2, 0]"), Error);
  CHECK_THROWS_WITH_AS(argmax(Tensor::zeros({0, 2}), 0), doctest::Contains("[0, 2]"), Error);
  CHECK(max(Tensor::zeros({0, 2}), 1).shape() == Shape{0});  // empty result, non-empty axis
  CHECK_THROWS_WITH_AS(sum(Tensor::zeros({2, 3}), 2), doctest::Contains("sum: axis 2"), Error);
  CHECK_THROWS_AS(mean(Tensor::zeros({2, 3}), -3), Error);
  CHECK_THROWS_AS(sum(Tensor::scalar(1), 0), Error);
}

TEST_CASE("reduce: sum_to undoes broadcasting") {
  Generator gen(6);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{3, 4}, {4}},          {{3, 4}, {1, 4}},        {{3, 4}, {3, 1}},     {{3, 4}, {}},
      {{3, 4}, {3, 4}},       {{2, 3, 5, 7}, {1, 3, 1, 1}}, {{2, 3, 5, 7}, {3, 1, 1}},
      {{2, 4, 3}, {2, 1, 3}}, {{2, 4, 3}, {4, 1}},     {{5, 1, 6}, {1, 6}},  {{0, 3}, {3}},
      {{4, 0}, {1, 0}},       {{300, 257}, {257}},     {{64, 3, 11, 13}, {3, 1, 1}}, {{1}, {}}};
  for (const auto& [from, to] : cases) {
    CAPTURE(from);
    CAPTURE(to);
    const Tensor a = normal(from, gen);
    const Tensor y = sum_to(a, to);
    REQUIRE(y.shape() == to);
    CHECK(max_abs_diff(y, reference_sum_to(a, to)) <= 1e-5f * static_cast<float>(std::max<int64_t>(1, a.numel())));
  }
}

TEST_CASE("reduce: sum_to rejects shapes that are not broadcasts") {
  const Tensor a = Tensor::zeros({3, 4});
  CHECK_THROWS_WITH_AS(sum_to(a, {3}), doctest::Contains("sum_to: [3, 4] cannot be summed down to [3]"), Error);
  CHECK_THROWS_WITH_AS(sum_to(a, {2, 3, 4}), doctest::Contains("[2, 3, 4]"), Error);
  CHECK_THROWS_AS(sum_to(a, {2, 4}), Error);
}
