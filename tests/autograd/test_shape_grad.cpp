#include <doctest/doctest.h>

#include "autograd/arithmetic.h"
#include "autograd/reduce.h"
#include "autograd/shape.h"
#include "check_grad.h"
#include "tensor/generator.h"

using namespace sprig;
using test::check_grad;
using Vars = std::vector<Variable>;

TEST_CASE("shape grad: reshape, flatten, transpose, permute") {
  Generator gen(31);
  const Tensor x = normal({2, 3, 4}, gen);
  check_grad([](const Vars& v) { return reshape(v[0], {4, -1}); }, {x});
  check_grad([](const Vars& v) { return flatten(v[0]); }, {x});
  check_grad([](const Vars& v) { return flatten(v[0], 0); }, {x});
  check_grad([](const Vars& v) { return transpose(v[0]); }, {x});
  check_grad([](const Vars& v) { return transpose(v[0], 0, 2); }, {x});
  check_grad([](const Vars& v) { return permute(v[0], {2, 0, 1}); }, {x});
  check_grad([](const Vars& v) { return permute(v[0], {1, -1, 0}); }, {x});
  CHECK(flatten(Variable(x)).shape() == Shape{2, 12});
  CHECK(permute(Variable(x), {2, 0, 1}).shape() == Shape{4, 2, 3});
}

TEST_CASE("shape grad: slice and concat") {
  Generator gen(32);
  const Tensor x = normal({5, 3}, gen), y = normal({2, 3}, gen);
  check_grad([](const Vars& v) { return slice(v[0], 1, 4); }, {x});
  check_grad([](const Vars& v) { return slice(v[0], 2, 2) + Variable(Tensor::zeros({1, 3})); }, {x});  // empty slice
  check_grad([](const Vars& v) { return concat({v[0], v[1], v[0]}); }, {x, y});
  check_grad([](const Vars& v) { return concat({v[0], v[1]}); }, {x, y}, {false, true});
  // Two overlapping slices of one variable: both gradients land in it.
  check_grad([](const Vars& v) { return slice(v[0], 0, 3) * slice(v[0], 2, 5); }, {x});

  Variable a(Tensor::ones({4, 2}), true);
  sum(slice(a, 1, 3)).backward();
  CHECK(a.grad().to_vector() == std::vector<float>{0, 0, 1, 1, 1, 1, 0, 0});
}

TEST_CASE("shape grad: views share storage with the input") {
  const Variable x(Tensor::zeros({2, 3}));
  CHECK(reshape(x, {3, 2}).value().shares_storage(x.value()));
  CHECK(slice(x, 1, 2).value().shares_storage(x.value()));
  CHECK(!transpose(x).value().shares_storage(x.value()));
}
