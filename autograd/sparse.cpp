#include "autograd/sparse.h"

#include "tensor/sparse_conv.h"
#include "tensor/sparse_linear.h"

namespace sprig {

namespace {

void check_pattern(const char* op, const Tensor& weight, const SparseWeight* w) {
  SPRIG_CHECK(w != nullptr, op, ": no sparse pattern for weight ", weight.shape());
  const int64_t rows = weight.dim() > 0 ? weight.size(0) : 0;
  SPRIG_CHECK(w->csr.rows == rows && w->csr.rows * w->csr.cols == weight.numel(), op, ": pattern [", w->csr.rows,
              ", ", w->csr.cols, "] does not fit weight ", weight.shape());
}

}  // namespace

Variable to_feature_major(const Variable& x) {
  Tensor xt = batch_along_rows(x.value());  // checks that x is [N, F]
  const int64_t N = x.shape()[0];
  return Variable(std::move(xt), {x}, [N](const Tensor& gt, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(batch_along_columns(gt, N));
  });
}

Variable from_feature_major(const Variable& xt, int64_t N) {
  Tensor x = batch_along_columns(xt.value(), N);  // checks that xt is [blocks, F, Nb]
  const int64_t blocks = xt.shape()[0];
  return Variable(std::move(x), {xt}, [blocks](const Tensor& g, std::vector<Variable>& in) {
    if (in[0].requires_grad()) in[0].add_grad(batch_along_rows(g, blocks));  // cut as the run was
  });
}

Variable sparse_linear_fm(const Variable& xt, const Variable& weight, const Variable& bias,
                          const std::shared_ptr<SparseWeight>& w) {
  const Tensor& W = weight.value();
  check_pattern("sparse_linear", W, w.get());
  SPRIG_CHECK(W.dim() == 2 && (!bias.defined() || bias.value().shape() == Shape{W.size(0)}),
              "sparse_linear: expected weight [out, in] and bias [out] but got weight ", W.shape(), ", bias ",
              bias.defined() ? bias.value().shape().str() : "none");
  const Tensor yt = sparse_linear_fm_forward(*w, W.data(), xt.value(), bias.defined() ? bias.value().data() : nullptr);

  return Variable(yt, {xt, weight, bias}, [w](const Tensor& dyt, std::vector<Variable>& in) {
    if (in[0].requires_grad()) {
      w->refresh_transposes();
      in[0].add_grad(sparse_linear_fm_input_grad(*w, dyt));
    }
    bool overwrite = false;  // a deferred zero: write the pattern's entries, no zeroing pass first
    float* dweight = in[1].requires_grad() ? in[1].grad_to_overwrite(overwrite).data() : nullptr;
    Tensor dbias = in[2].requires_grad() ? Tensor::empty(in[2].shape()) : Tensor();
    sparse_linear_weight_grad(*w, dyt, in[0].value(), dweight, overwrite, dbias.defined() ? dbias.data() : nullptr);
    if (dbias.defined()) in[2].add_grad(std::move(dbias));
  });
}

Variable sparse_linear(const Variable& x, const Variable& weight, const Variable& bias,
                       const std::shared_ptr<SparseWeight>& w) {
  SPRIG_CHECK(x.dim() == 2, "sparse_linear: expected input [N, in], got ", x.shape());
  return from_feature_major(sparse_linear_fm(to_feature_major(x), weight, bias, w), x.shape()[0]);
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
    if (dx.defined()) w->refresh_transposes();
    Tensor dvalues = Tensor::empty({w->nnz()});
    Tensor dbias = in[2].requires_grad() ? Tensor::empty({g.out_channels}) : Tensor();
    sparse_conv2d_backward(g, in[0].value().data(), *w, gy.data(), dx.data(), dvalues.data(), dbias.data());
    if (dx.defined()) in[0].add_grad(std::move(dx));
    if (in[1].requires_grad()) {
      bool overwrite = false;
      float* dweight = in[1].grad_to_overwrite(overwrite).data();
      w->scatter(dvalues.data(), dweight, overwrite);
    }
    if (dbias.defined()) in[2].add_grad(std::move(dbias));
  });
}

}  // namespace sprig
