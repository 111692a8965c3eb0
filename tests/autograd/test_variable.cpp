#include <doctest/doctest.h>

#include "autograd/arithmetic.h"
#include "autograd/reduce.h"
#include "autograd/variable.h"

using namespace sprig;

TEST_CASE("variable: NoGradGuard stops graph building and restores the mode") {
  Variable x(Tensor::from({2}, {1, 2}), true);
  CHECK(grad_enabled());
  {
    NoGradGuard guard;
    CHECK(!grad_enabled());
    const Variable y = x * x;
    CHECK(!y.requires_grad());
    CHECK(y.is_leaf());
    CHECK_THROWS_WITH_AS(sum(y).backward(), doctest::Contains("does not require a gradient"), Error);
    {
      NoGradGuard nested;
    }
    CHECK(!grad_enabled());
  }
  CHECK(grad_enabled());
  const Variable z = x * x;
  CHECK(z.requires_grad());
  CHECK(!z.is_leaf());
}

TEST_CASE("variable: only inputs that need it make an op require a gradient") {
  const Variable constant(Tensor::ones({2}));
  Variable param(Tensor::ones({2}), true);
  CHECK(!(constant + constant).requires_grad());
  CHECK((constant + param).requires_grad());
  sum(constant * param).backward();
  CHECK(!constant.grad().defined());
  CHECK(param.grad().to_vector() == std::vector<float>{1, 1});
}

TEST_CASE("variable: backward on a non-scalar needs an explicit gradient") {
  Variable x(Tensor::from({3}, {1, 2, 3}), true);
  Variable y = x * 2.0f;
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("[3]"), Error);
  CHECK_THROWS_WITH_AS(y.backward(Tensor::ones({2})), doctest::Contains("[2]"), Error);
  Variable y2 = x * 2.0f;
  y2.backward(Tensor::from({3}, {1, 0, -1}));
  CHECK(x.grad().to_vector() == std::vector<float>{2, 0, -2});
}

TEST_CASE("variable: set_grad_buffer makes backward accumulate into the buffer") {
  Tensor flat = Tensor::zeros({5});
  Variable w(Tensor::from({2, 2}, {1, 2, 3, 4}), true);
  w.set_grad_buffer(flat.view(1, {2, 2}));
  sum(w * w).backward();
  CHECK(flat.to_vector() == std::vector<float>{0, 2, 4, 6, 8});
  CHECK(w.grad().shares_storage(flat));
  sum(w).backward();  // accumulates into the same buffer
  CHECK(flat.to_vector() == std::vector<float>{0, 3, 5, 7, 9});
  w.zero_grad();
  CHECK(flat.to_vector() == std::vector<float>(5, 0.0f));
  CHECK(w.grad().shares_storage(flat));
  CHECK_THROWS_WITH_AS(w.set_grad_buffer(Tensor::zeros({4})), doctest::Contains("[4]"), Error);
}

// Guards against a deferred zeroing that leaks the old gradient: every way of reaching the buffer
// sees zeros or replaces them, and the buffer itself is untouched until then.
TEST_CASE("variable: a deferred zero_grad is settled by the first access, or overwritten") {
  Tensor flat = Tensor::zeros({5});
  Variable w(Tensor::from({2, 2}, {1, 2, 3, 4}), true);
  w.set_grad_buffer(flat.view(1, {2, 2}));
  auto refill = [&] {
    flat.fill_(7.0f);
    w.defer_zero_grad();
    CHECK(flat.to_vector() == std::vector<float>(5, 7.0f));  // nothing written yet
  };
  refill();
  CHECK(w.grad().to_vector() == std::vector<float>(4, 0.0f));
  refill();
  sum(w * w).backward();  // add_grad: a copy, not 7 + gradient
  CHECK(flat.to_vector() == std::vector<float>{7, 2, 4, 6, 8});
  refill();
  CHECK(w.grad_accumulator().to_vector() == std::vector<float>(4, 0.0f));
  refill();
  w.settle_grad();
  CHECK(flat.to_vector() == std::vector<float>{7, 0, 0, 0, 0});
  refill();
  bool overwrite = false;
  CHECK(w.grad_to_overwrite(overwrite).shares_storage(flat));
  CHECK(overwrite);  // the op writes its entries; the old values are its to replace
  CHECK(flat.to_vector() == std::vector<float>(5, 7.0f));
  w.grad_to_overwrite(overwrite);
  CHECK_FALSE(overwrite);  // settled by the first writer: later ones add
}

TEST_CASE("variable: detach keeps the value and drops the history") {
  Variable x(Tensor::from({2}, {1, 2}), true);
  const Variable y = x * 3.0f;
  const Variable d = y.detach();
  CHECK(d.value().to_vector() == y.value().to_vector());
  CHECK(!d.requires_grad());
  CHECK(d.is_leaf());
  CHECK(!d.same_node(y));
  const Variable z = d * x;  // gradient reaches x only through its direct use
  sum(z).backward();
  CHECK(x.grad().to_vector() == std::vector<float>{3, 6});
}

TEST_CASE("variable: a leaf's gradient-ready hook fires once, after its last consumer, during backward") {
  Variable w(Tensor::from({2}, {1, 2}), true), b(Tensor::from({2}, {3, 4}), true);
  std::vector<std::string> events;
  w.set_grad_ready_hook([&] { events.push_back("w " + std::to_string(w.grad().data()[0])); });
  b.set_grad_ready_hook([&] { events.push_back("b " + std::to_string(b.grad().data()[0])); });
  // loss = sum((w * w + b) * w): w has two consumers, b one; b is complete first
  Variable loss = sum((w * w + b) * w);
  loss.backward();
  REQUIRE(events.size() == 2);
  CHECK(events[0] == "b " + std::to_string(1.0f));
  CHECK(events[1] == "w " + std::to_string(3 * 1.0f + 3.0f));  // d/dw (w^3 + b w) = 3 w^2 + b
  sum(w).backward();  // a second graph: fires again
  CHECK(events.size() == 3);
  w.set_grad_ready_hook({});
  sum(w).backward();
  CHECK(events.size() == 3);
  Variable product = w * w;
  CHECK_THROWS_WITH_AS(product.set_grad_ready_hook([] {}), doctest::Contains("only a leaf"), Error);
}
