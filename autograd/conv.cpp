#include "autograd/conv.h"

#include "tensor/conv.h"

namespace sprig {

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias, int64_t stride, int64_t padding) {
  const Tensor y = conv2d(x.value(), weight.value(), bias.defined() ? bias.value() : Tensor(), stride, padding);
  std::vector<Variable> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  return Variable(y, std::move(inputs), [stride, padding](const Tensor& gy, std::vector<Variable>& in) {
    const Tensor& xv = in[0].value();
    const Tensor& wv = in[1].value();
    const Conv2dGeometry g = conv2d_geometry(xv.shape(), wv.shape(), stride, padding, "conv2d backward");
    const Shape out{g.batch, g.out_channels, g.out_h(), g.out_w()};
    SPRIG_CHECK(gy.shape() == out, "conv2d backward: gradient ", gy.shape(), " does not match output ", out,
                " of input ", xv.shape(), " and weight ", wv.shape(), " (changed since the forward?)");
    const bool bias_grad = in.size() == 3 && in[2].requires_grad();
    Tensor dx = in[0].requires_grad() ? Tensor::empty(xv.shape()) : Tensor();
    Tensor dw = Tensor::empty(wv.shape());
    Tensor dbias = bias_grad ? Tensor::empty({g.out_channels}) : Tensor();
    conv2d_backward(g, xv.data(), wv.data(), gy.data(), dx.data(), dw.data(), dbias.data());
    if (dx.defined()) in[0].add_grad(std::move(dx));
    if (in[1].requires_grad()) in[1].add_grad(std::move(dw));
    if (bias_grad) in[2].add_grad(std::move(dbias));
  });
}

}  // namespace sprig
