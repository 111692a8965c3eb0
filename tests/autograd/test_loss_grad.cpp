#include <doctest/doctest.h>

#include "autograd/gradcheck.h"
#include "autograd/loss.h"
#include "tensor/elementwise.h"
#include "tensor/generator.h"

using namespace sprig;

TEST_CASE("log_softmax: gradients") {
  Generator gen(4);
  const GradcheckResult r =
      gradcheck([](const std::vector<Variable>& v) { return log_softmax(v[0]); }, {normal({4, 5}, gen, 0.0f, 2.0f)});
  CHECK_MESSAGE(r.ok, r.report);
}

TEST_CASE("cross_entropy: gradients, scaled by the upstream gradient") {
  Generator gen(5);
  const std::vector<int32_t> labels = {2, 0, 4, 4, 1, 3};
  // gradcheck seeds backward with a random cotangent, so the upstream scale is not 1.
  const GradcheckResult r = gradcheck([&](const std::vector<Variable>& v) { return cross_entropy(v[0], labels); },
                                      {normal({6, 5}, gen, 0.0f, 2.0f)});
  CHECK_MESSAGE(r.ok, r.report);
}

TEST_CASE("cross_entropy: fused backward equals log_softmax backward of -onehot / rows") {
  Generator gen(6);
  const Tensor logits = normal({3, 4}, gen);
  const std::vector<int32_t> labels = {3, 0, 2};
  Tensor minus_onehot_mean = Tensor::zeros({3, 4});
  for (int64_t r = 0; r < 3; ++r) minus_onehot_mean.at({r, labels[r]}) = -1.0f / 3.0f;

  Variable fused_in(logits, true), composed_in(logits, true);
  Variable loss = cross_entropy(fused_in, labels);
  CHECK(loss.dim() == 0);
  loss.backward();
  log_softmax(composed_in).backward(minus_onehot_mean);
  CHECK(max_abs_diff(fused_in.grad(), composed_in.grad()) < 1e-6f);
}

TEST_CASE("cross_entropy: bad labels throw before anything is computed") {
  const Variable logits(Tensor::zeros({2, 3}), true);
  CHECK_THROWS_WITH_AS(cross_entropy(logits, {0, 3}), doctest::Contains("label 3 at row 1"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(logits, {0}), doctest::Contains("1 labels for 2 rows"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(Variable(Tensor::zeros({6})), {0}), doctest::Contains("[6]"), Error);
}
