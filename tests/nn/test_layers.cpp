// Every layer passes the shared gradient checker, for its input and all its parameters.
#include <doctest/doctest.h>

#include "check_layer.h"
#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/dropout.h"
#include "nn/flatten.h"
#include "nn/linear.h"
#include "nn/pool.h"
#include "nn/sequential.h"

using namespace sprig;
using namespace sprig::nn;

namespace {

using test::check_layer;

// Values spread out so no two are within the gradcheck step of each other (no max-pool ties) and
// none is near zero (no ReLU kink).
Tensor distinct_values(Shape shape, uint64_t seed) {
  Tensor t = Tensor::empty(shape);
  Generator gen(seed);
  std::vector<int64_t> order(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i) order[i] = i;
  for (int64_t i = t.numel() - 1; i > 0; --i) std::swap(order[i], order[gen.integer(i + 1)]);
  for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = 0.05f * float(order[i] - t.numel() / 2) + 0.025f;
  return t;
}
}  // namespace

TEST_CASE("Linear gradients (with and without bias)") {
  Generator gen(1);
  Linear with_bias({5, 3, true}, gen), without({5, 3, false}, gen);
  Tensor x = normal({4, 5}, gen);
  check_layer(with_bias, x);
  check_layer(without, x);
}

TEST_CASE("Conv2d gradients (stride and padding)") {
  Generator gen(2);
  Conv2d conv({2, 3, 3, 2, 1, true}, gen);
  check_layer(conv, normal({2, 2, 5, 5}, gen));
}

TEST_CASE("activations gradients") {
  for (const char* function : {"relu", "tanh", "sigmoid"}) {
    Activation layer({function});
    check_layer(layer, distinct_values({3, 4}, 3));
  }
}

TEST_CASE("pooling and flatten gradients") {
  MaxPool2d max_pool({2, 2, 0});
  AvgPool2d avg_pool({3, 1, 1});
  Flatten flatten;
  check_layer(max_pool, distinct_values({2, 2, 4, 4}, 4));
  check_layer(avg_pool, distinct_values({1, 2, 4, 4}, 5));
  check_layer(flatten, distinct_values({2, 3, 2}, 6));
}

TEST_CASE("Dropout: identity in eval; in training a fixed mask per call, scaled by 1/(1-p)") {
  Generator gen(7);
  Dropout dropout({0.25}, gen);
  dropout.eval();
  Tensor x = normal({8, 8}, gen);
  CHECK(dropout(Variable(x)).value().to_vector() == x.to_vector());
  dropout.train();
  const Tensor y = dropout(Variable(Tensor::ones({1000}))).value();
  int64_t kept = 0;
  for (float v : y.to_vector()) {
    CHECK((v == 0.0f || v == doctest::Approx(1.0f / 0.75f)));
    kept += v != 0.0f;
  }
  CHECK(kept == doctest::Approx(750).epsilon(0.08));
  CHECK_THROWS_AS(Dropout({1.0}, gen), Error);
}

TEST_CASE("Sequential gradients through a small conv net") {
  Generator gen(8);
  Sequential net({std::make_shared<Conv2d>(Conv2dOptions{1, 2, 3, 1, 1, true}, gen),
                  std::make_shared<Activation>(ActivationOptions{"tanh"}), std::make_shared<Flatten>(),
                  std::make_shared<Linear>(LinearOptions{2 * 4 * 4, 3, true}, gen)});
  check_layer(net, normal({2, 1, 4, 4}, gen));
  CHECK(net.named_parameters().size() == 4);
  CHECK(net.named_parameters()[2].first == "3.weight");
}

TEST_CASE("layers reject inputs of the wrong shape, naming both") {
  Generator gen(9);
  Linear linear({5, 3, true}, gen);
  CHECK_THROWS_WITH_AS(linear(Variable(Tensor::zeros({2, 4}))), doctest::Contains("[2, 4]"), Error);
  Conv2d conv({2, 3, 3, 1, 0, true}, gen);
  CHECK_THROWS_WITH_AS(conv(Variable(Tensor::zeros({1, 3, 5, 5}))), doctest::Contains("[1, 3, 5, 5]"), Error);
  CHECK_THROWS_AS(Activation({"swish"}), Error);
  CHECK_THROWS_AS(Linear({0, 3, true}, gen), Error);
}
