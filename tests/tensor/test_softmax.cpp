#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "tensor/generator.h"
#include "tensor/softmax.h"

using namespace sprig;

TEST_CASE("log_softmax: known values") {
  const Tensor x = Tensor::from({2, 3}, {1, 2, 3, 5, 5, 5});
  const std::vector<float> y = log_softmax(x).to_vector();
  const double lse = 3.0 + std::log(1.0 + std::exp(-1.0) + std::exp(-2.0));  // log(e^1 + e^2 + e^3)
  CHECK(y[0] == doctest::Approx(1.0 - lse));
  CHECK(y[1] == doctest::Approx(2.0 - lse));
  CHECK(y[2] == doctest::Approx(3.0 - lse));
  for (int j = 3; j < 6; ++j) CHECK(y[j] == doctest::Approx(-std::log(3.0)));
}

TEST_CASE("log_softmax: rows sum to 1 after exp") {
  Generator gen(3);
  const Tensor x = normal({50, 17}, gen, 0.0f, 5.0f);
  const std::vector<float> y = log_softmax(x).to_vector();
  for (int64_t r = 0; r < 50; ++r) {
    double total = 0.0;
    for (int64_t j = 0; j < 17; ++j) total += std::exp(double(y[r * 17 + j]));
    CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
  }
}

TEST_CASE("log_softmax: huge logits stay finite and exact") {
  const Tensor x = Tensor::from({3, 3}, {1e4f, 0, -1e4f, 1e4f, 1e4f, 1e4f, -1e4f, -1e4f, -1e4f});
  const std::vector<float> y = log_softmax(x).to_vector();
  for (float v : y) CHECK(std::isfinite(v));
  CHECK(y[0] == 0.0f);
  CHECK(y[1] == -1e4f);
  CHECK(y[2] == -2e4f);
  for (int j = 3; j < 9; ++j) CHECK(y[j] == doctest::Approx(-std::log(3.0)));
  CHECK(std::isfinite(cross_entropy(x, {2, 0, 1})));
  CHECK(cross_entropy(x, {0, 0, 0}) == doctest::Approx(2.0 * std::log(3.0) / 3.0));
}

TEST_CASE("log_softmax_backward: dx = dy - softmax * sum(dy)") {
  const Tensor x = Tensor::from({1, 3}, {1, 2, 3});
  const Tensor y = log_softmax(x);
  const float dy[3] = {0, 1, 0};  // d(log p_1)/dx = onehot_1 - softmax
  float dx[3];
  log_softmax_backward(y.data(), dy, dx, 1, 3);
  for (int j = 0; j < 3; ++j) CHECK(dx[j] == doctest::Approx((j == 1 ? 1.0 : 0.0) - std::exp(y.data()[j])));
}

TEST_CASE("cross_entropy: known values and its backward") {
  CHECK(cross_entropy(Tensor::zeros({5, 4}), {0, 1, 2, 3, 0}) == doctest::Approx(std::log(4.0)));
  const Tensor x = Tensor::from({2, 3}, {1, 2, 3, 0, 0, 0});
  const double lse = 3.0 + std::log(1.0 + std::exp(-1.0) + std::exp(-2.0));
  CHECK(cross_entropy(x, {2, 1}) == doctest::Approx(((lse - 3.0) + std::log(3.0)) / 2.0));

  // (softmax - onehot) * scale / rows
  const Tensor lp = log_softmax(x);
  const std::vector<int32_t> labels = {2, 1};
  float d[6];
  cross_entropy_backward(lp.data(), labels.data(), 3.0f, d, 2, 3);
  for (int r = 0; r < 2; ++r)
    for (int j = 0; j < 3; ++j)
      CHECK(d[r * 3 + j] ==
            doctest::Approx((std::exp(lp.data()[r * 3 + j]) - (j == labels[r] ? 1.0 : 0.0)) * 3.0 / 2.0));
}

TEST_CASE("bad labels and shapes throw naming the row, the label and the class count") {
  const Tensor x = Tensor::zeros({3, 4});
  CHECK_THROWS_WITH_AS(cross_entropy(x, {0, 4, 1}), doctest::Contains("label 4 at row 1"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(x, {0, 4, 1}), doctest::Contains("4 classes"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(x, {0, 1, -1}), doctest::Contains("label -1 at row 2"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(x, {0, 1}), doctest::Contains("2 labels for 3 rows"), Error);
  CHECK_THROWS_AS(cross_entropy(Tensor::zeros({0, 4}), {}), Error);
  CHECK_THROWS_WITH_AS(log_softmax(Tensor::zeros({2, 3, 4})), doctest::Contains("[2, 3, 4]"), Error);
  CHECK_THROWS_WITH_AS(check_labels({7}, 1, 5, "my_loss"), doctest::Contains("my_loss: label 7 at row 0"), Error);
}

TEST_CASE("log_softmax: large inputs (parallel path) match the serial rows") {
  Generator gen(11);
  const Tensor x = normal({300, 200}, gen, 0.0f, 3.0f);
  const Tensor y = log_softmax(x);
  const Tensor one_row = log_softmax(x.slice(123, 124));
  for (int64_t j = 0; j < 200; ++j) CHECK(one_row.data()[j] == y.at({123, j}));
}
