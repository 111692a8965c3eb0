#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "tensor/elementwise.h"
#include "tensor/generator.h"

using namespace sprig;

namespace {

using BinaryFn = std::function<float(float, float)>;

// Plain-loop reference: each output index is mapped to both inputs by NumPy's rule.
Tensor reference_binary(const Tensor& a, const Tensor& b, const Shape& out, const BinaryFn& op) {
  Tensor y = Tensor::empty(out);
  const int64_t rank = static_cast<int64_t>(out.size());
  for (int64_t flat = 0; flat < y.numel(); ++flat) {
    int64_t rest = flat, ia = 0, ib = 0, stride_a = 1, stride_b = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      const int64_t index = rest % out[d];
      rest /= out[d];
      const int64_t da = d - (rank - a.dim()), db = d - (rank - b.dim());
      if (da >= 0) {
        if (a.shape()[da] != 1) ia += index * stride_a;
        stride_a *= a.shape()[da];
      }
      if (db >= 0) {
        if (b.shape()[db] != 1) ib += index * stride_b;
        stride_b *= b.shape()[db];
      }
    }
    y.data()[flat] = op(a.data()[ia], b.data()[ib]);
  }
  return y;
}

struct BroadcastCase {
  Shape a, b, out;
};

void check_against_reference(const BroadcastCase& c, Generator& gen) {
  CAPTURE(c.a);
  CAPTURE(c.b);
  const Tensor a = normal(c.a, gen), b = uniform(c.b, gen, 0.5f, 2.0f);
  REQUIRE(broadcast_shapes(c.a, c.b, "test") == c.out);
  const std::vector<std::pair<Tensor (*)(const Tensor&, const Tensor&), BinaryFn>> ops = {
      {add, [](float x, float y) { return x + y; }},
      {sub, [](float x, float y) { return x - y; }},
      {mul, [](float x, float y) { return x * y; }},
      {div, [](float x, float y) { return x / y; }}};
  for (const auto& [op, reference] : ops) {
    const Tensor y = op(a, b);
    REQUIRE(y.shape() == c.out);
    CHECK(max_abs_diff(y, reference_binary(a, b, c.out, reference)) == 0.0f);
  }
}

}  // namespace

TEST_CASE("elementwise: binary ops on equal shapes give known values") {
  const Tensor a = Tensor::from({2, 2}, {1, 2, 3, 4}), b = Tensor::from({2, 2}, {4, 3, 2, 1});
  CHECK(add(a, b).to_vector() == std::vector<float>{5, 5, 5, 5});
  CHECK(sub(a, b).to_vector() == std::vector<float>{-3, -1, 1, 3});
  CHECK(mul(a, b).to_vector() == std::vector<float>{4, 6, 6, 4});
  CHECK(div(a, b).to_vector() == std::vector<float>{0.25f, 2.0f / 3.0f, 1.5f, 4});
  CHECK((a + b - a * b / b).to_vector() == b.to_vector());
  CHECK((-a).to_vector() == std::vector<float>{-1, -2, -3, -4});
  CHECK(add(a, 1.5f).to_vector() == std::vector<float>{2.5f, 3.5f, 4.5f, 5.5f});
  CHECK(mul(a, -2.0f).to_vector() == std::vector<float>{-2, -4, -6, -8});
}

TEST_CASE("elementwise: unary ops give known values") {
  const Tensor x = Tensor::from({5}, {-2, -0.5f, 0, 0.5f, 2});
  CHECK(relu(x).to_vector() == std::vector<float>{0, 0, 0, 0.5f, 2});
  CHECK(abs(x).to_vector() == std::vector<float>{2, 0.5f, 0, 0.5f, 2});
  CHECK(sign(x).to_vector() == std::vector<float>{-1, -1, 0, 1, 1});
  CHECK(neg(x).to_vector() == std::vector<float>{2, 0.5f, 0, -0.5f, -2});
  CHECK(pow(x, 2.0f).to_vector() == std::vector<float>{4, 0.25f, 0, 0.25f, 4});
  CHECK(pow(Tensor::from({3}, {1, 2, 3}), 3.0f).to_vector() == std::vector<float>{1, 8, 27});
  CHECK(sqrt(Tensor::from({3}, {0, 4, 9})).to_vector() == std::vector<float>{0, 2, 3});
  CHECK(exp(Tensor::scalar(0)).item() == 1.0f);
  CHECK(log(Tensor::scalar(1)).item() == 0.0f);
  CHECK(log(Tensor::scalar(std::exp(2.0f))).item() == doctest::Approx(2.0f));
  CHECK(tanh(Tensor::scalar(0)).item() == 0.0f);
  CHECK(tanh(Tensor::scalar(1)).item() == doctest::Approx(std::tanh(1.0)));
  const Tensor s = sigmoid(Tensor::from({3}, {0, -200, 200}));
  CHECK(s.to_vector() == std::vector<float>{0.5f, 0.0f, 1.0f});  // saturates without NaN
  CHECK(exp(Tensor::zeros({0, 3})).shape() == Shape{0, 3});
}

TEST_CASE("elementwise: broadcasting matches a plain-loop reference") {
  Generator gen(1);
  const std::vector<BroadcastCase> cases = {
      {{3, 4}, {4}, {3, 4}},                     // bias
      {{2, 1, 3}, {4, 1}, {2, 4, 3}},            // both sides stretch
      {{2, 3, 5, 7}, {1, 3, 1, 1}, {2, 3, 5, 7}},  // BatchNorm scale
      {{2, 3, 5, 7}, {3, 1, 1}, {2, 3, 5, 7}},
      {{5, 1}, {1, 7}, {5, 7}},                  // outer product
      {{7, 13}, {7, 1}, {7, 13}},                // per-row, odd widths
      {{17}, {3, 1, 17}, {3, 1, 17}},
      {{4, 1, 5}, {4, 3, 1}, {4, 3, 5}},
      {{1, 1, 33}, {2, 1}, {1, 2, 33}},
      {{}, {3}, {3}},                            // rank 0
      {{3, 2}, {}, {3, 2}},
      {{}, {}, {}},
      {{1}, {2, 3}, {2, 3}},                     // one element of rank 1
      {{2, 3}, {2, 3}, {2, 3}},
      {{3}, {1, 3}, {1, 3}},                     // same elements, different ranks
      {{0, 3}, {3}, {0, 3}},                     // empty
      {{2, 0}, {1}, {2, 0}},
      {{4, 0, 3}, {4, 1, 3}, {4, 0, 3}},
      {{1, 0}, {5, 1}, {5, 0}}};
  for (const BroadcastCase& c : cases) check_against_reference(c, gen);
}

TEST_CASE("elementwise: large tensors (threaded paths) match the serial reference") {
  Generator gen(2);
  const std::vector<BroadcastCase> cases = {
      {{300, 257}, {300, 257}, {300, 257}},  // flat
      {{300, 257}, {257}, {300, 257}},       // bias rows
      {{2, 40001}, {2, 1}, {2, 40001}},      // two long rows
      {{64, 3, 11, 13}, {1, 3, 1, 1}, {64, 3, 11, 13}},
      {{50001}, {1}, {50001}},               // scalar
      {{1}, {50001}, {50001}},
      {{40000, 3}, {40000, 1}, {40000, 3}},  // many short rows
      {{331, 1}, {1, 127}, {331, 127}}};
  for (const BroadcastCase& c : cases) check_against_reference(c, gen);

  const Tensor x = normal({100003}, gen);
  const Tensor e = exp(x), r = relu(x);
  for (int64_t i = 0; i < x.numel(); ++i) {
    REQUIRE(e.data()[i] == std::exp(x.data()[i]));
    REQUIRE(r.data()[i] == (x.data()[i] > 0 ? x.data()[i] : 0.0f));
  }
}

TEST_CASE("elementwise: incompatible shapes throw naming the op and both shapes") {
  const Tensor a = Tensor::zeros({3, 4}), b = Tensor::zeros({5});
  CHECK_THROWS_WITH_AS(add(a, b), doctest::Contains("add: shapes [3, 4] and [5]"), Error);
  CHECK_THROWS_WITH_AS(sub(a, b), doctest::Contains("sub: shapes [3, 4] and [5]"), Error);
  CHECK_THROWS_WITH_AS(mul(b, a), doctest::Contains("mul: shapes [5] and [3, 4]"), Error);
  CHECK_THROWS_WITH_AS(div(a, Tensor::zeros({2, 4})), doctest::Contains("div: shapes [3, 4] and [2, 4]"), Error);
  CHECK_THROWS_WITH_AS(broadcast_shapes({2, 3}, {3, 3}, "myop"), doctest::Contains("myop"), Error);
  CHECK_THROWS_WITH_AS(max_abs_diff(a, Tensor::zeros({4, 3})), doctest::Contains("[3, 4] and [4, 3]"), Error);
}

TEST_CASE("elementwise: activation backwards") {
  const Tensor gy = Tensor::from({3}, {1, 2, 3}), y = Tensor::from({3}, {0, 0.5f, 2});
  CHECK(relu_backward(gy, y).to_vector() == std::vector<float>{0, 2, 3});
  CHECK(sigmoid_backward(gy, y).to_vector() == std::vector<float>{0, 0.5f, -6});
  CHECK(tanh_backward(gy, y).to_vector() == std::vector<float>{1, 1.5f, -9});
  CHECK_THROWS_WITH_AS(relu_backward(gy, Tensor::zeros({1, 3})), doctest::Contains("relu_backward"), Error);
}

TEST_CASE("elementwise: axpy_ and scale_ work in place") {
  Tensor y = Tensor::from({2, 2}, {1, 2, 3, 4});
  const float* before = y.data();
  axpy_(y, 2.0f, Tensor::from({4}, {1, 1, 1, 1}));  // same count, any shape
  CHECK(y.to_vector() == std::vector<float>{3, 4, 5, 6});
  scale_(y, 0.5f);
  CHECK(y.to_vector() == std::vector<float>{1.5f, 2, 2.5f, 3});
  CHECK(y.data() == before);
  CHECK_THROWS_WITH_AS(axpy_(y, 1.0f, Tensor::zeros({3})), doctest::Contains("axpy_"), Error);

  Generator gen(3);
  const Tensor x = normal({70001}, gen);
  Tensor big = normal({70001}, gen);
  const Tensor expected = add(big, mul(x, -0.25f));
  axpy_(big, -0.25f, x);
  CHECK(max_abs_diff(big, expected) == 0.0f);
}

TEST_CASE("elementwise: max_abs_diff") {
  const Tensor a = Tensor::from({3}, {1, 2, 3});
  CHECK(max_abs_diff(a, a) == 0.0f);
  CHECK(max_abs_diff(a, Tensor::from({3}, {1, 2.5f, 1})) == 2.0f);
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(max_abs_diff(Tensor::scalar(inf), Tensor::scalar(inf)) == 0.0f);
  CHECK(std::isnan(max_abs_diff(Tensor::from({2}, {nan, 0}), Tensor::from({2}, {0, 5}))));
}
