#include "autograd/reduce.h"

#include "autograd/arithmetic.h"
#include "tensor/layout.h"
#include "tensor/reduce.h"

namespace sprig {

namespace {

// The shape a reduction over `axis` has with keepdim, so its gradient broadcasts back over the axis.
Shape kept_shape(const Shape& shape, int64_t axis) {
  Shape kept = shape;
  kept[axis] = 1;
  return kept;
}

// gy: [outer, inner] -> grad: [outer, n, inner], gy placed at index[o, i] along n, zeros elsewhere.
Tensor scatter_axis(const Tensor& gy, const std::vector<int64_t>& index, const Shape& shape, int64_t axis) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t n = shape[axis];
  Tensor grad = Tensor::zeros(shape);
  float* g = grad.data();
  const float* src = gy.data();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) g[(o * n + index[o * inner + i]) * inner + i] = src[o * inner + i];
  return grad;
}

}  // namespace

Variable sum(const Variable& a) {
  return Variable(sum(a.value()), {a}, [](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(Tensor::full(in[0].shape(), gy.item()));
  });
}

Variable sum(const Variable& a, int64_t axis, bool keepdim) {
  Tensor y = sum(a.value(), axis, keepdim);
  axis = normalize_axis(axis, a.dim(), "sum");
  return Variable(y, {a}, [axis](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad())
      in[0].add_grad(broadcast_to(gy.reshape(kept_shape(in[0].shape(), axis)), in[0].shape()));
  });
}

Variable mean(const Variable& a) { return mul(sum(a), 1.0f / static_cast<float>(a.numel())); }

Variable mean(const Variable& a, int64_t axis, bool keepdim) {
  return mul(sum(a, axis, keepdim), 1.0f / static_cast<float>(a.value().size(axis)));
}

Variable max(const Variable& a) {
  const int64_t where = argmax(a.value());
  return Variable(Tensor::scalar(a.value().data()[where]), {a},
                  [where](const Tensor& gy, std::vector<Variable>& in) {
                    if (!in[0].requires_grad()) return;
                    Tensor grad = Tensor::zeros(in[0].shape());
                    grad.data()[where] = gy.item();
                    in[0].add_grad(grad);
                  });
}

Variable max(const Variable& a, int64_t axis, bool keepdim) {
  Tensor y = max(a.value(), axis, keepdim);
  axis = normalize_axis(axis, a.dim(), "max");
  return Variable(y, {a}, [axis, index = argmax(a.value(), axis)](const Tensor& gy, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(scatter_axis(gy, index, in[0].shape(), axis));
  });
}

}  // namespace sprig
