#include "tensor/sparse_linear.h"

#include "tensor/layout.h"
#include "tensor/sddmm.h"
#include "tensor/spmm.h"

namespace sprig {

// x: [N, in] -> y: [N, out], through y^T = W x^T
Tensor sparse_linear_forward(const SparseWeight& w, const Tensor& x, const float* bias, Tensor& xt) {
  SPRIG_CHECK(x.dim() == 2 && x.size(1) == w.csr.cols, "sparse_linear: input ", x.shape(), " for weight [", w.csr.rows,
              ", ", w.csr.cols, "]");
  const int64_t N = x.size(0);
  xt = transpose(x);
  Tensor yt = Tensor::empty({w.csr.rows, N});
  spmm(w.csr, xt.data(), N, N, bias, yt.data(), N);
  return transpose(yt);
}

// dy^T: [out, N] -> dx: [N, in], through dx^T = W^T dy^T
Tensor sparse_linear_input_grad(const SparseWeight& w, const Tensor& dyt) {
  SPRIG_CHECK(dyt.dim() == 2 && dyt.size(0) == w.csr.rows, "sparse_linear backward: gradient^T ", dyt.shape(),
              " for weight [", w.csr.rows, ", ", w.csr.cols, "]");
  const int64_t N = dyt.size(1);
  Tensor dxt = Tensor::empty({w.csr.cols, N});
  spmm(w.transposed(), dyt.data(), N, N, nullptr, dxt.data(), N);
  return transpose(dxt);
}

void sparse_linear_weight_grad(const SparseWeight& w, const Tensor& dyt, const Tensor& xt, float* dweight) {
  SPRIG_CHECK(dyt.dim() == 2 && xt.dim() == 2 && dyt.size(0) == w.csr.rows && xt.size(0) == w.csr.cols &&
                  dyt.size(1) == xt.size(1),
              "sparse_linear backward: gradient^T ", dyt.shape(), " and input^T ", xt.shape(), " for weight [",
              w.csr.rows, ", ", w.csr.cols, "]");
  const int64_t N = dyt.size(1);
  Tensor dvalues = Tensor::zeros({w.nnz()});
  sddmm(w.csr, dyt.data(), N, xt.data(), N, N, dvalues.data());
  w.scatter_add(dvalues.data(), dweight);
}

}  // namespace sprig
