#include "autograd/pool.h"

#include <utility>
#include <vector>

#include "autograd/reduce.h"
#include "autograd/shape.h"
#include "tensor/pool.h"

namespace sprig {

namespace {
// stride 0 means "as large as the kernel" (non-overlapping windows), as in PyTorch.
int64_t stride_or_kernel(int64_t stride, int64_t kernel) { return stride == 0 ? kernel : stride; }
}  // namespace

Variable maxpool2d(const Variable& x, int64_t kernel, int64_t stride, int64_t padding) {
  stride = stride_or_kernel(stride, kernel);
  std::vector<int32_t> argmax;
  const Tensor y = maxpool2d(x.value(), kernel, stride, padding, &argmax);
  // The forward's geometry sizes every buffer below, whatever happens to x later.
  const Pool2dGeometry g = pool2d_geometry(x.shape(), kernel, stride, padding, "maxpool2d");
  return Variable(y, {x}, [argmax = std::move(argmax), g](const Tensor& gy, std::vector<Variable>& in) {
    if (!in[0].requires_grad()) return;
    Tensor dx = Tensor::empty({g.batch, g.channels, g.height, g.width});
    maxpool2d_backward(g, gy.data(), argmax.data(), dx.data());
    in[0].add_grad(std::move(dx));
  });
}

Variable avgpool2d(const Variable& x, int64_t kernel, int64_t stride, int64_t padding) {
  stride = stride_or_kernel(stride, kernel);
  const Tensor y = avgpool2d(x.value(), kernel, stride, padding);
  const Pool2dGeometry g = pool2d_geometry(x.shape(), kernel, stride, padding, "avgpool2d");
  return Variable(y, {x}, [g](const Tensor& gy, std::vector<Variable>& in) {
    if (!in[0].requires_grad()) return;
    Tensor dx = Tensor::empty({g.batch, g.channels, g.height, g.width});
    avgpool2d_backward(g, gy.data(), dx.data());
    in[0].add_grad(std::move(dx));
  });
}

// Composite: a reshape and a mean, whose backwards spread the gradient evenly over each plane.
Variable global_avgpool2d(const Variable& x) {
  SPRIG_CHECK(x.dim() == 4 && x.numel() > 0, "global_avgpool2d: expected input [N, C, H, W] but got ", x.shape());
  const Shape& s = x.shape();
  return mean(reshape(x, {s[0], s[1], s[2] * s[3]}), 2);
}

}  // namespace sprig
