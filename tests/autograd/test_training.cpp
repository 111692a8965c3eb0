// End-to-end: a small MLP trained with autograd and plain SGD must actually learn. XOR is not
// linearly separable, so the loss only falls this far if every backward (linear, tanh,
// cross_entropy) sends the right gradient.
#include <doctest/doctest.h>

#include <vector>

#include "autograd/loss.h"
#include "autograd/matmul.h"
#include "autograd/unary.h"
#include "tensor/elementwise.h"
#include "tensor/generator.h"
#include "tensor/reduce.h"

using namespace sprig;

namespace {

// Four Gaussian blobs at (+-1, +-1); the label is 1 where the signs differ (XOR).
void xor_blobs(int64_t n, Generator& gen, Tensor& points, std::vector<int32_t>& labels) {
  points = Tensor::empty({n, 2});
  labels.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    const bool right = i % 2 == 1, up = (i / 2) % 2 == 1;
    points.at({i, 0}) = (right ? 1.0f : -1.0f) + 0.3f * gen.normal();
    points.at({i, 1}) = (up ? 1.0f : -1.0f) + 0.3f * gen.normal();
    labels[i] = right != up;
  }
}

Variable parameter(Shape shape, float stddev, Generator& gen) { return Variable(normal(shape, gen, 0.0f, stddev), true); }

}  // namespace

TEST_CASE("a 2-16-2 tanh MLP learns XOR with SGD") {
  Generator gen(2024);
  Tensor points;
  std::vector<int32_t> labels;
  xor_blobs(200, gen, points, labels);
  const Variable x(points);

  Variable w1 = parameter({16, 2}, 1.0f, gen), b1 = parameter({16}, 0.1f, gen);
  Variable w2 = parameter({2, 16}, 0.25f, gen), b2 = parameter({2}, 0.1f, gen);
  std::vector<Variable> params = {w1, b1, w2, b2};
  const auto forward = [&] { return linear(tanh(linear(x, w1, b1)), w2, b2); };

  const float lr = 0.5f;
  const float first_loss = cross_entropy(forward(), labels).value().item();
  float loss_value = first_loss;
  for (int step = 0; step < 300; ++step) {
    Variable loss = cross_entropy(forward(), labels);
    loss_value = loss.value().item();
    loss.backward();
    NoGradGuard no_grad;
    for (Variable& p : params) {
      axpy_(p.value(), -lr, p.grad());
      p.zero_grad();
    }
  }
  CAPTURE(first_loss);
  CHECK(first_loss > 0.5f);
  CHECK(loss_value < 0.05f);

  NoGradGuard no_grad;
  const std::vector<int64_t> predicted = argmax(forward().value(), 1);
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i];
  CHECK(correct >= 196);  // >= 98%: the blobs barely overlap
}
