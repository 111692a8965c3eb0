#include "tensor/sparse_linear.h"

#include "tensor/layout.h"
#include "tensor/sddmm.h"
#include "tensor/spmm.h"

namespace sprig {

// m: [N, F] -> [F, Np]
Tensor batch_along_rows(const Tensor& m) {
  SPRIG_CHECK(m.dim() == 2, "batch_along_rows: expected a matrix [N, F], got ", m.shape());
  const int64_t N = m.size(0), F = m.size(1), Np = N < 16 ? N : (N + 15) / 16 * 16;
  Tensor t = Tensor::empty({F, Np});
  transpose_into(m.data(), N, F, F, t.data(), Np, /*zero_padding=*/true);
  return t;
}

// t: [F, Np] -> [N, F]
Tensor batch_along_columns(const Tensor& t, int64_t N) {
  SPRIG_CHECK(t.dim() == 2 && N >= 0 && N <= t.size(1), "batch_along_columns: expected [F, Np] with Np >= ", N,
              ", got ", t.shape());
  const int64_t F = t.size(0), Np = t.size(1);
  Tensor m = Tensor::empty({N, F});
  transpose_into(t.data(), F, N, Np, m.data(), F);
  return m;
}

// xt: [in, Np] -> yt: [out, Np], yt = W xt (+ bias down each row)
Tensor sparse_linear_fm_forward(const SparseWeight& w, const Tensor& xt, const float* bias) {
  SPRIG_CHECK(xt.dim() == 2 && xt.size(0) == w.csr.cols, "sparse_linear: feature-major input ", xt.shape(),
              " for weight [", w.csr.rows, ", ", w.csr.cols, "]");
  const int64_t Np = xt.size(1);
  Tensor yt = Tensor::empty({w.csr.rows, Np});
  spmm(w.csr, xt.data(), Np, Np, bias, yt.data(), Np);
  return yt;
}

// dyt: [out, Np] -> dxt: [in, Np], dxt = W^T dyt
Tensor sparse_linear_fm_input_grad(const SparseWeight& w, const Tensor& dyt) {
  SPRIG_CHECK(dyt.dim() == 2 && dyt.size(0) == w.csr.rows, "sparse_linear backward: feature-major gradient ",
              dyt.shape(), " for weight [", w.csr.rows, ", ", w.csr.cols, "]");
  const int64_t Np = dyt.size(1);
  Tensor dxt = Tensor::empty({w.csr.cols, Np});
  spmm(w.transposed(), dyt.data(), Np, Np, nullptr, dxt.data(), Np);
  return dxt;
}

void sparse_linear_weight_grad(const SparseWeight& w, const Tensor& dyt, const Tensor& xt, float* dweight,
                               bool overwrite) {
  SPRIG_CHECK(dyt.dim() == 2 && xt.dim() == 2 && dyt.size(0) == w.csr.rows && xt.size(0) == w.csr.cols &&
                  dyt.size(1) == xt.size(1),
              "sparse_linear backward: gradient^T ", dyt.shape(), " and input^T ", xt.shape(), " for weight [",
              w.csr.rows, ", ", w.csr.cols, "]");
  const int64_t Np = dyt.size(1);
  sddmm_dense(w.csr, dyt.data(), Np, xt.data(), Np, Np, dweight, w.csr.cols, overwrite);
}

// x: [N, in] -> y: [N, out]
Tensor sparse_linear_forward(const SparseWeight& w, const Tensor& x, const float* bias, Tensor& xt) {
  SPRIG_CHECK(x.dim() == 2 && x.size(1) == w.csr.cols, "sparse_linear: input ", x.shape(), " for weight [", w.csr.rows,
              ", ", w.csr.cols, "]");
  xt = batch_along_rows(x);
  return batch_along_columns(sparse_linear_fm_forward(w, xt, bias), x.size(0));
}

// dy^T: [out, Np] -> dx: [N, in]
Tensor sparse_linear_input_grad(const SparseWeight& w, const Tensor& dyt, int64_t N) {
  return batch_along_columns(sparse_linear_fm_input_grad(w, dyt), N);
}

}  // namespace sprig
