#include "autograd/unary.h"

#include "tensor/elementwise.h"

namespace sprig {

// Each backward uses whichever of input and output makes the derivative cheapest.

Variable neg(const Variable& a) {
  return Variable(neg(a.value()), {a}, [](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(neg(gy));
  });
}

Variable exp(const Variable& a) {
  Tensor y = exp(a.value());
  return Variable(y, {a}, [y](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(mul(gy, y));
  });
}

Variable log(const Variable& a) {
  return Variable(log(a.value()), {a}, [](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(div(gy, in[0].value()));
  });
}

Variable relu(const Variable& a) {
  Tensor y = relu(a.value());
  return Variable(y, {a}, [y](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(relu_backward(gy, y));
  });
}

Variable sigmoid(const Variable& a) {
  Tensor y = sigmoid(a.value());
  return Variable(y, {a}, [y](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(sigmoid_backward(gy, y));
  });
}

Variable tanh(const Variable& a) {
  Tensor y = tanh(a.value());
  return Variable(y, {a}, [y](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(tanh_backward(gy, y));
  });
}

// sign(0) = 0 makes the subgradient at 0 zero.
Variable abs(const Variable& a) {
  return Variable(abs(a.value()), {a}, [](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(mul(gy, sign(in[0].value())));
  });
}

// Piecewise constant: the gradient is zero, but the result stays in the graph as in PyTorch, so a
// loss built only from it can still run backward.
Variable sign(const Variable& a) {
  return Variable(sign(a.value()), {a}, [](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(Tensor::zeros(in[0].shape()));
  });
}

// y = sqrt(a): dy/da = 1 / (2 y).
Variable sqrt(const Variable& a) {
  Tensor y = sqrt(a.value());
  return Variable(y, {a}, [y](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(div(mul(gy, 0.5f), y));
  });
}

}  // namespace sprig
