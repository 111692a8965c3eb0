#include "autograd/sparse.h"

#include "tensor/layout.h"
#include "tensor/reduce.h"
#include "tensor/sddmm.h"
#include "tensor/sparse_conv.h"
#include "tensor/spmm.h"

namespace sprig {

namespace {

void check_pattern(const char* op, const Tensor& weight, const SparseWeight* w) {
  SPRIG_CHECK(w != nullptr, op, ": no sparse pattern for weight ", weight.shape());
  const int64_t rows = weight.dim() > 0 ? weight.size(0) : 0;
  SPRIG_CHECK(w->csr.rows == rows && w->csr.rows * w->csr.cols == weight.numel(), op, ": pattern [", w->csr.rows,
              ", ", w->csr.cols, "] does not fit weight ", weight.shape());
}

}  // namespace

// The kernels run with the batch along rows (tensor/spmm.h), so x and the gradients are transposed
// on the way in and out: x^T [in, N], y^T = W x^T [out, N], dx^T = W^T dy^T, dW = dy^T x at the pattern.
Variable sparse_linear(const Variable& x, const Variable& weight, const Variable& bias,
                       const std::shared_ptr<SparseWeight>& w) {
  const Tensor& X = x.value();
  const Tensor& W = weight.value();
  check_pattern("sparse_linear", W, w.get());
  SPRIG_CHECK(X.dim() == 2 && W.dim() == 2 && X.size(1) == W.size(1) &&
                  (!bias.defined() || bias.value().shape() == Shape{W.size(0)}),
              "sparse_linear: expected x [N, in], weight [out, in], bias [out] but got x ", X.shape(), ", weight ",
              W.shape(), ", bias ", bias.defined() ? bias.value().shape().str() : "none");
  const int64_t N = X.size(0), out = W.size(0);
  w->refresh(W.data());
  const Tensor xt = transpose(X);
  Tensor yt = Tensor::empty({out, N});
  spmm(w->csr, xt.data(), N, N, bias.defined() ? bias.value().data() : nullptr, yt.data(), N);

  return Variable(transpose(yt), {x, weight, bias}, [w, xt, N](const Tensor& gy, std::vector<Variable>& in) {
    const Tensor dyt = transpose(gy);
    if (in[0].requires_grad()) {
      Tensor dxt = Tensor::empty({w->csr.cols, N});
      spmm(w->transposed, dyt.data(), N, N, nullptr, dxt.data(), N);
      in[0].add_grad(transpose(dxt));
    }
    if (in[1].requires_grad()) {  // dW at the pattern, added straight into the weight's gradient buffer
      Tensor dvalues = Tensor::zeros({w->nnz()});
      sddmm(w->csr, dyt.data(), N, xt.data(), N, N, dvalues.data());
      w->scatter_add(dvalues.data(), in[1].grad_accumulator().data());
    }
    if (in[2].requires_grad()) in[2].add_grad(sum(gy, 0));
  });
}

Variable sparse_conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                       const std::shared_ptr<SparseWeight>& w, int64_t stride, int64_t padding) {
  const Conv2dGeometry g = conv2d_geometry(x.value().shape(), weight.value().shape(), stride, padding, "sparse_conv2d");
  check_pattern("sparse_conv2d", weight.value(), w.get());
  SPRIG_CHECK(!bias.defined() || bias.value().shape() == Shape{g.out_channels}, "sparse_conv2d: expected bias [",
              g.out_channels, "] for weight ", weight.value().shape(), " but got ", bias.value().shape());
  w->refresh(weight.value().data());
  Tensor y = Tensor::empty({g.batch, g.out_channels, g.out_h(), g.out_w()});
  sparse_conv2d_forward(g, x.value().data(), *w, bias.defined() ? bias.value().data() : nullptr, y.data());

  return Variable(y, {x, weight, bias}, [w, g](const Tensor& gy, std::vector<Variable>& in) {
    const Shape out{g.batch, g.out_channels, g.out_h(), g.out_w()};
    SPRIG_CHECK(gy.shape() == out, "sparse_conv2d backward: gradient ", gy.shape(), " does not match output ", out);
    Tensor dx = in[0].requires_grad() ? Tensor::empty(in[0].value().shape()) : Tensor();
    Tensor dvalues = Tensor::empty({w->nnz()});
    Tensor dbias = in[2].requires_grad() ? Tensor::empty({g.out_channels}) : Tensor();
    sparse_conv2d_backward(g, in[0].value().data(), *w, gy.data(), dx.data(), dvalues.data(), dbias.data());
    if (dx.defined()) in[0].add_grad(std::move(dx));
    if (in[1].requires_grad()) w->scatter_add(dvalues.data(), in[1].grad_accumulator().data());
    if (dbias.defined()) in[2].add_grad(std::move(dbias));
  });
}

}  // namespace sprig
