#include "autograd/arithmetic.h"

#include "tensor/elementwise.h"
#include "tensor/reduce.h"

namespace sprig {

// Broadcasting forwards; each backward sums its gradient back down to the input's shape.

Variable add(const Variable& a, const Variable& b) {
  return Variable(add(a.value(), b.value()), {a, b}, [](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(sum_to(gy, in[0].shape()));
    if (in[1].requires_grad()) in[1].add_grad(sum_to(gy, in[1].shape()));
  });
}

Variable sub(const Variable& a, const Variable& b) {
  return Variable(sub(a.value(), b.value()), {a, b}, [](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(sum_to(gy, in[0].shape()));
    if (in[1].requires_grad()) in[1].add_grad(sum_to(neg(gy), in[1].shape()));
  });
}

Variable mul(const Variable& a, const Variable& b) {
  return Variable(mul(a.value(), b.value()), {a, b}, [](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(sum_to(mul(gy, in[1].value()), in[0].shape()));
    if (in[1].requires_grad()) in[1].add_grad(sum_to(mul(gy, in[0].value()), in[1].shape()));
  });
}

// y = a / b: dy/da = 1 / b, dy/db = -a / b^2 = -y / b.
Variable div(const Variable& a, const Variable& b) {
  Tensor y = div(a.value(), b.value());
  return Variable(y, {a, b}, [y](const Tensor& gy, std::vector<Variable>& in) {
    const Tensor gy_over_b = div(gy, in[1].value());
    if (in[0].requires_grad()) in[0].add_grad(sum_to(gy_over_b, in[0].shape()));
    if (in[1].requires_grad()) in[1].add_grad(sum_to(neg(mul(gy_over_b, y)), in[1].shape()));
  });
}

Variable add(const Variable& a, float s) {
  return Variable(add(a.value(), s), {a}, [](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(gy);
  });
}

Variable mul(const Variable& a, float s) {
  return Variable(mul(a.value(), s), {a}, [s](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(mul(gy, s));
  });
}

// y = a^e: dy/da = e * a^(e-1).
Variable pow(const Variable& a, float exponent) {
  return Variable(pow(a.value(), exponent), {a}, [exponent](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(mul(gy, mul(pow(in[0].value(), exponent - 1.0f), exponent)));
  });
}

}  // namespace sprig
