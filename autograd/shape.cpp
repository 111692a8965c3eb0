#include "autograd/shape.h"

#include "tensor/layout.h"

namespace sprig {

// reshape and slice are views in the forward pass; their backwards copy only what must be copied.

Variable reshape(const Variable& a, Shape shape) {
  return Variable(a.value().reshape(std::move(shape)), {a}, [](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(gy.reshape(in[0].shape()));
  });
}

Variable flatten(const Variable& a, int64_t start_axis) { return reshape(a, a.value().flatten(start_axis).shape()); }

Variable permute(const Variable& a, const std::vector<int64_t>& order) {
  Tensor y = permute(a.value(), order);  // validates the order
  std::vector<int64_t> inverse(order.size());
  for (size_t i = 0; i < order.size(); ++i) inverse[normalize_axis(order[i], a.dim(), "permute")] = static_cast<int64_t>(i);
  return Variable(y, {a}, [inverse](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(permute(gy, inverse));
  });
}

Variable transpose(const Variable& a, int64_t axis0, int64_t axis1) {
  std::vector<int64_t> order(a.dim());
  for (int64_t i = 0; i < a.dim(); ++i) order[i] = i;
  std::swap(order[normalize_axis(axis0, a.dim(), "transpose")], order[normalize_axis(axis1, a.dim(), "transpose")]);
  return permute(a, order);
}

Variable slice(const Variable& a, int64_t begin, int64_t end) {
  return Variable(a.value().slice(begin, end), {a}, [begin, end](const Tensor& gy, std::vector<Variable>& in) {
    if (!in[0].requires_grad()) return;
    Tensor grad = Tensor::zeros(in[0].shape());
    grad.slice(begin, end).copy_(gy);
    in[0].add_grad(grad);
  });
}

Variable concat(const std::vector<Variable>& parts) {
  std::vector<Tensor> values;
  for (const Variable& part : parts) values.push_back(part.value());
  return Variable(concat(values), parts, [](const Tensor& gy, std::vector<Variable>& in) {
    int64_t row = 0;
    for (Variable& part : in) {
      const int64_t rows = part.shape()[0];
      if (part.requires_grad()) part.add_grad(gy.slice(row, row + rows));
      row += rows;
    }
  });
}

}  // namespace sprig
