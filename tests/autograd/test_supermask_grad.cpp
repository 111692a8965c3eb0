// Edge-popup's masked product (autograd/supermask.h): the forward is weight * top-k mask; the
// weight's gradient is the true one (gradcheck); the scores' gradient is the straight-through
// estimator, which is by definition the true gradient of weight * |scores|, so it is tested against
// that function's backward (itself gradchecked), not against finite differences of the step function.
#include <doctest/doctest.h>

#include "autograd/arithmetic.h"
#include "autograd/check_grad.h"
#include "autograd/matmul.h"
#include "autograd/reduce.h"
#include "autograd/supermask.h"
#include "autograd/unary.h"
#include "tensor/elementwise.h"
#include "tensor/top_k.h"

using namespace sprig;
using sprig::test::away_from_zero;

TEST_CASE("supermask_keep counts as the paper's code and rejects k outside 0 < k <= 100") {
  CHECK(supermask_keep(10, 50) == 5);
  CHECK(supermask_keep(11, 50) == 6);  // 11 - floor(5.5)
  CHECK(supermask_keep(1000, 100) == 1000);
  CHECK(supermask_keep(10, 0.1) == 1);  // never an empty layer
  CHECK_THROWS_WITH_AS(supermask_keep(10, 0), doctest::Contains("(0, 100]"), Error);
  CHECK_THROWS_WITH_AS(supermask_keep(10, 100.5), doctest::Contains("(0, 100]"), Error);
  CHECK_THROWS_WITH_AS(supermask_keep(10, -3), doctest::Contains("but is -3"), Error);
}

TEST_CASE("supermask_weight multiplies the weight by the top-k mask of abs(scores)") {
  Generator gen(1);
  const Tensor w = normal({4, 6}, gen), s = normal({4, 6}, gen);
  const Variable y = supermask_weight(Variable(w), Variable(s), 9);
  const Tensor mask = top_k_abs_mask(s, 9);
  CHECK(max_abs_diff(y.value(), mul(w, mask)) == 0.0f);
  int64_t nonzero = 0;
  for (float v : y.value().to_vector()) nonzero += v != 0.0f;
  CHECK(nonzero == 9);
  CHECK_THROWS_WITH_AS(supermask_weight(Variable(w), Variable(normal({6, 4}, gen)), 3),
                       doctest::Contains("supermask_weight: weight [4, 6] but scores [6, 4]"), Error);
}

TEST_CASE("supermask_weight: the masked product's weight gradient passes gradcheck (scores held fixed)") {
  Generator gen(2);
  const Tensor x = away_from_zero({3, 5}, gen), w = away_from_zero({4, 5}, gen), s = normal({4, 5}, gen);
  // A layer x W_eff^T with W_eff = W * mask: the mask is constant while only W and x move.
  test::check_grad([](const std::vector<Variable>& in) { return linear(in[0], supermask_weight(in[1], in[2], 8), {}); },
                   {x, w, s}, {true, true, false});
}

TEST_CASE(
    "supermask_weight: the scores' gradient is the straight-through estimator, the gradient of weight * abs(scores)") {
  Generator gen(3);
  const Tensor x = away_from_zero({3, 5}, gen), w = away_from_zero({4, 5}, gen), s = away_from_zero({4, 5}, gen);
  const Tensor cotangent = normal({3, 4}, gen);
  auto score_gradient = [&](bool straight_through) {
    Variable scores(s.clone(), true);
    const Variable effective = straight_through ? supermask_weight(Variable(w), scores, 7) : Variable(w) * abs(scores);
    linear(Variable(x), effective, {}).backward(cotangent);
    return scores.grad().clone();
  };
  const Tensor ste = score_gradient(true), surrogate = score_gradient(false);
  CHECK(max_abs_diff(ste, surrogate) <= 1e-6f * (1.0f + max_abs_diff(surrogate, Tensor::zeros({4, 5}))));
  // The surrogate's gradient is a true gradient: finite differences agree with it.
  test::check_grad([](const std::vector<Variable>& in) { return linear(in[0], in[1] * abs(in[2]), {}); }, {x, w, s},
                   {false, false, true});
  // Every score gets a gradient, kept or not: that is how a pruned edge can pop back up.
  const Tensor mask = top_k_abs_mask(s, 7);
  int64_t pruned_with_gradient = 0;
  for (int64_t i = 0; i < ste.numel(); ++i) pruned_with_gradient += mask.data()[i] == 0.0f && ste.data()[i] != 0.0f;
  CHECK(pruned_with_gradient == 13);
}

TEST_CASE("supermask_weight: a frozen weight gets no gradient, scores accumulate theirs") {
  Generator gen(4);
  const Variable w(normal({2, 3}, gen));  // no requires_grad: frozen
  Variable s(normal({2, 3}, gen), true);
  sum(supermask_weight(w, s, 3)).backward();
  sum(supermask_weight(w, s, 3)).backward();
  CHECK_FALSE(w.grad().defined());
  const Tensor expected = mul(mul(w.value(), sign(s.value())), 2.0f);
  CHECK(max_abs_diff(s.grad(), expected) == 0.0f);
}
